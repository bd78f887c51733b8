"""Alembic environment: always run programmatically with a connection passed in.

``isotrack db upgrade`` hands over its connection in ``config.attributes``; no alembic.ini
or working directory is involved.
"""

from __future__ import annotations

from alembic import context

from isotrack.store.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `isotrack db upgrade`, which passes a connection")

context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
