"""The store's hottest reads, compiled once per dialect and run straight on the driver's cursor.

Every request reads the caller's session and a dispense decision reads a whole course. Through
SQLAlchemy's ``Connection.execute`` those two reads cost several times what the driver needs
for the same SQL (statement caching, result-row processing and event dispatch on each call).
A :class:`PreparedQuery` is still written as SQLAlchemy Core, so the schema stays the single
source of the SQL text, but it is compiled once per dialect and executed on the DBAPI cursor.

The rows come back as the driver returns them: SQLite gives dates as ISO text and booleans as
integers, so callers convert with :func:`as_date` and :func:`as_bool`.

    >>> from sqlalchemy import bindparam, select
    >>> from sqlalchemy.dialects import sqlite
    >>> from isotrack.store.tables import courses
    >>> query = PreparedQuery(select(courses.c.policy).where(courses.c.id == bindparam("id")))
    >>> query.sql_for(sqlite.dialect())
    'SELECT courses.policy \\nFROM courses \\nWHERE courses.id = ?'
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import Insert, Select


class DriverCursor(Protocol):
    def execute(self, sql: str, parameters: Any = ..., /) -> Any: ...

    def fetchall(self) -> Sequence[Sequence[Any]]: ...

    def close(self) -> Any: ...


class DriverConnection(Protocol):
    """What the store needs of a DBAPI connection (``sqlite3``, ``psycopg``)."""

    def cursor(self) -> DriverCursor: ...


@dataclass(frozen=True)
class CompiledQuery:
    """SQL text for one driver and how to order its parameters."""

    sql: str
    positional_names: tuple[str, ...] | None  # qmark drivers; None: named (pyformat) drivers

    def parameters(self, values: Mapping[str, Any]) -> Sequence[Any] | Mapping[str, Any]:
        if self.positional_names is None:
            return values
        return tuple(values[name] for name in self.positional_names)


class PreparedQuery:
    """A Core ``select`` with named ``bindparam``s, compiled on first use for each dialect."""

    def __init__(self, statement: Select[Any] | Insert) -> None:
        self.statement = statement
        self._compiled: dict[tuple[str, str], CompiledQuery] = {}
        self._lock = threading.Lock()

    def compiled_for(self, dialect: Dialect) -> CompiledQuery:
        key = (dialect.name, dialect.driver)
        compiled = self._compiled.get(key)
        if compiled is None:
            with self._lock:
                compiled = self._compile(dialect)
                self._compiled[key] = compiled
        return compiled

    def sql_for(self, dialect: Dialect) -> str:
        return self.compiled_for(dialect).sql

    def _compile(self, dialect: Dialect) -> CompiledQuery:
        compiled = self.statement.compile(dialect=dialect)
        positional = compiled.positiontup if dialect.positional else None
        return CompiledQuery(compiled.string, tuple(positional) if positional else None)

    def rows(
        self, connection: DriverConnection, dialect: Dialect, **values: Any
    ) -> Sequence[Sequence[Any]]:
        """Run the query on a DBAPI connection and return every row as the driver gives it."""
        compiled = self.compiled_for(dialect)
        cursor = connection.cursor()
        try:
            cursor.execute(compiled.sql, compiled.parameters(values))
            rows: Sequence[Sequence[Any]] = cursor.fetchall()
        finally:
            cursor.close()
        return rows


@dataclass(frozen=True)
class Reader:
    """A DBAPI connection together with the name of its dialect.

    The store's read functions accept a :class:`Reader` or a SQLAlchemy ``Connection`` (see
    :func:`as_reader`), so the same function serves a transaction and the direct path.
    """

    connection: DriverConnection
    dialect: Dialect

    def rows(self, query: PreparedQuery, **values: Any) -> Sequence[Sequence[Any]]:
        return query.rows(self.connection, self.dialect, **values)


def as_reader(connection: Connection | Reader) -> Reader:
    """The driver connection under a SQLAlchemy ``Connection`` (inside its transaction)."""
    if isinstance(connection, Reader):
        return connection
    driver = connection.connection.driver_connection
    if driver is None:  # pragma: no cover - a checked-out connection always has one
        raise RuntimeError("the SQLAlchemy connection has no driver connection")
    return Reader(driver, connection.dialect)


def as_date(value: Any) -> dt.date:
    """A DATE column as the driver returned it (``date``, or ISO text from SQLite)."""
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def as_bool(value: Any) -> bool:
    """A BOOLEAN column as the driver returned it (``bool``, or 0/1 from SQLite)."""
    return bool(value)
