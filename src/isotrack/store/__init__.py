"""The isotrack store: append-only course event logs, users, sessions and authorizations.

SQLAlchemy Core over SQLite (default) or PostgreSQL, same code and migrations for both.
Modules: ``database`` (engines, migrations), ``courses`` (event store), ``verify`` (hash
chains), ``users`` (accounts, sessions), ``authorizations`` (recorded dispense decisions),
``idempotency``, ``patients`` (care lists), ``aggregates`` (de-identified counts).
"""
