"""Domain types: the course timeline and its events, value types and errors."""
