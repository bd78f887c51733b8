"""store part of isotrack (see DESIGN.md)."""
