"""Alembic migrations of the isotrack store (run by `isotrack db upgrade`)."""
