"""interop part of isotrack (see DESIGN.md)."""
