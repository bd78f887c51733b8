"""web part of isotrack (see DESIGN.md)."""
