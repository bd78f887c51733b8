"""api part of isotrack (see DESIGN.md)."""
