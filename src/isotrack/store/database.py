"""Connecting to the store: SQLite (default) or PostgreSQL, with the same code and migrations.

SQLite runs in WAL mode with foreign keys on and ``synchronous=FULL`` (a committed write
survives power loss). Its writes begin with ``BEGIN IMMEDIATE`` on a separate engine, so a
writer takes the write lock up front and waits for it (``busy_timeout``) instead of failing
half-way through a transaction. On PostgreSQL the read and write engines are the same pool.

``Database.direct()`` is the hot read path: each thread keeps one driver connection of its
own, in autocommit, outside the pool, for the single-statement reads every request makes
(the caller's session, a whole course). Each such statement is its own consistent snapshot.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import PoolProxiedConnection

from isotrack.store.statements import Reader
from isotrack.store.writer_turns import WriterTurns

DEFAULT_DATABASE_URL = "sqlite:///var/isotrack.sqlite"
MIGRATIONS_DIR = Path(__file__).parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 10_000
# Reads through a memory map instead of a read() call per page; the OS page cache then
# serves every process at once. Writes still go through the WAL with fsync.
SQLITE_MMAP_BYTES = 1 << 30


def database_url_from_env() -> str:
    """``$ISOTRACK_DATABASE_URL``, or the SQLite file ``./var/isotrack.sqlite``."""
    return os.environ.get("ISOTRACK_DATABASE_URL") or DEFAULT_DATABASE_URL


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _sqlite_engine(url: str, *, begin: str, pool_size: int) -> Engine:
    parsed = make_url(url)
    pool_args: dict[str, int] = {}
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        pool_args = {"pool_size": pool_size, "max_overflow": pool_size}
    engine = create_engine(url, connect_args={"check_same_thread": False}, **pool_args)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # The driver's own implicit transactions are switched off: we issue BEGIN ourselves.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql(begin)

    return engine


class DirectReaders:
    """One autocommit driver connection per thread, detached from the pool, kept open.

    A checkout from the pool costs more than the read it serves; a thread that reads keeps
    its own connection instead. A connection that raised a driver error is dropped, and the
    thread's next read opens a fresh one.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._local = threading.local()
        self._open: list[PoolProxiedConnection] = []
        self._lock = threading.Lock()

    def for_this_thread(self) -> Reader:
        reader: Reader | None = getattr(self._local, "reader", None)
        if reader is None:
            proxied = self._engine.raw_connection()
            driver: Any = proxied.driver_connection
            proxied.detach()  # ours until closed; the pool neither counts nor resets it
            if self._engine.dialect.name != "sqlite":
                driver.autocommit = True
            reader = Reader(driver, self._engine.dialect)
            self._local.reader = reader
            self._local.proxied = proxied
            with self._lock:
                self._open.append(proxied)
        return reader

    def discard_this_thread(self) -> None:
        proxied: PoolProxiedConnection | None = getattr(self._local, "proxied", None)
        self._local.reader = None
        self._local.proxied = None
        if proxied is not None:
            with self._lock:
                if proxied in self._open:
                    self._open.remove(proxied)
            _close_quietly(proxied)

    def close_all(self) -> None:
        with self._lock:
            opened, self._open = self._open, []
            # Every thread forgets its connection: the next read after this opens a new one.
            self._local = threading.local()
        for proxied in opened:
            _close_quietly(proxied)


def _close_quietly(proxied: PoolProxiedConnection) -> None:
    # A broken connection may fail to close; it is gone either way.
    with contextlib.suppress(Exception):
        proxied.close()


@dataclass(frozen=True)
class Database:
    """The store's engines: ``read`` for queries, ``write`` for transactions that write."""

    url: str
    read: Engine
    write: Engine
    _direct: DirectReaders = field(init=False, repr=False, compare=False)
    _turns: WriterTurns | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_direct", DirectReaders(self.read))
        object.__setattr__(self, "_turns", _writer_turns(self.url))

    @property
    def dialect(self) -> str:
        return self.write.dialect.name

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """A write transaction, committed on success and rolled back on any error.

        On a SQLite file the transaction waits for its turn among all writers first
        (:mod:`isotrack.store.writer_turns`).
        """
        if self._turns is None:
            with self.write.begin() as connection:
                yield connection
            return
        with self._turns.turn(), self.write.begin() as connection:
            yield connection

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A read transaction: one consistent snapshot for every query inside it."""
        with self.read.begin() as connection:
            yield connection

    @contextmanager
    def direct(self) -> Iterator[Reader]:
        """This thread's own driver connection, for single-statement reads (no transaction).

        Meant for the event loop's thread (one connection per process); code on worker
        threads uses :meth:`reading`, whose pool bounds the number of connections.
        """
        try:
            yield self._direct.for_this_thread()
        except self.read.dialect.loaded_dbapi.Error:
            self._direct.discard_this_thread()
            raise

    def dispose(self) -> None:
        self._direct.close_all()
        if self._turns is not None:
            self._turns.close()
        self.read.dispose()
        if self.write is not self.read:
            self.write.dispose()


def _writer_turns(url: str) -> WriterTurns | None:
    parsed = make_url(url)
    if not is_sqlite(url) or not parsed.database or parsed.database == ":memory:":
        return None
    return WriterTurns(Path(parsed.database))


def open_database(url: str | None = None, *, pool_size: int = 20) -> Database:
    """Engines for ``url`` (default: :func:`database_url_from_env`). Creates no tables.

    Each engine's pool keeps ``pool_size`` connections and opens as many again at peaks (the
    server's thread pool runs 40 requests at once). Connections are not pinged before each
    use, which cost a round trip per checkout; one broken by a server restart fails its
    request and is replaced. The hot reads do not use the pool at all (:meth:`Database.direct`).
    """
    url = url or database_url_from_env()
    if is_sqlite(url):
        return Database(
            url=url,
            read=_sqlite_engine(url, begin="BEGIN", pool_size=pool_size),
            write=_sqlite_engine(url, begin="BEGIN IMMEDIATE", pool_size=pool_size),
        )
    engine = create_engine(url, pool_size=pool_size, max_overflow=pool_size)
    return Database(url=url, read=engine, write=engine)


def _alembic_config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def upgrade_schema(database: Database, revision: str = "head") -> None:
    """Apply the migrations up to ``revision`` (``isotrack db upgrade``)."""
    with database.write.connect() as connection:
        command.upgrade(_alembic_config(connection), revision)
        connection.commit()


def downgrade_schema(database: Database, revision: str = "base") -> None:
    """Undo migrations down to ``revision``; ``base`` drops every isotrack table."""
    with database.write.connect() as connection:
        command.downgrade(_alembic_config(connection), revision)
        connection.commit()


@dataclass(frozen=True)
class SchemaStatus:
    current: str | None
    head: str

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head

    def explain(self) -> str:
        if self.up_to_date:
            return f"database schema is up to date (revision {self.head})"
        found = "no isotrack tables" if self.current is None else f"revision {self.current}"
        return (
            f"database schema is outdated: found {found}, this version of isotrack needs "
            f"revision {self.head}; run `isotrack db upgrade` first"
        )


def schema_status(database: Database) -> SchemaStatus:
    """Which migration the database is at, against the newest one this code ships."""
    head = ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()
    if head is None:  # pragma: no cover - the package always ships migrations
        raise RuntimeError("no migrations found in the isotrack package")
    with database.read.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    return SchemaStatus(current=current, head=head)
