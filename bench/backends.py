"""The two databases the benchmark runs on: a fresh SQLite file, a fresh PostgreSQL database.

Each is created empty before seeding and removed afterwards; nothing else on the server is
touched (PostgreSQL: the dedicated database ``isotrack_bench`` only).
"""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
PG_BENCH_DATABASE = "isotrack_bench"


@dataclass(frozen=True)
class Backend:
    name: str  # "sqlite" or "postgres"
    url: str  # SQLAlchemy URL the service uses
    workdir: Path  # targets, token, logs and (SQLite) the database file

    @property
    def is_sqlite(self) -> bool:
        return self.name == "sqlite"

    def create_empty(self) -> None:
        """Remove any earlier benchmark database and start from nothing."""
        if self.workdir.exists():
            shutil.rmtree(self.workdir)
        self.workdir.mkdir(parents=True)
        if not self.is_sqlite:
            with _pg_admin() as admin:
                admin.execute(_drop_statement())
                admin.execute(
                    sql.SQL("CREATE DATABASE {}").format(sql.Identifier(PG_BENCH_DATABASE))
                )

    def remove(self) -> None:
        """Drop the benchmark database (PostgreSQL) or delete the file (SQLite)."""
        if self.is_sqlite:
            for path in self.workdir.glob("isotrack.sqlite*"):
                path.unlink()
            return
        with _pg_admin() as admin:
            admin.execute(_drop_statement())

    def count_authorizations(self) -> int:
        """Committed rows of ``dispense_authorizations``, read with the raw driver."""
        if self.is_sqlite:
            with sqlite3.connect(self.workdir / "isotrack.sqlite") as connection:
                (count,) = connection.execute(
                    "SELECT count(*) FROM dispense_authorizations"
                ).fetchone()
            return int(count)
        with psycopg.connect(f"{PG_SERVER}/{PG_BENCH_DATABASE}") as connection:
            row = connection.execute("SELECT count(*) FROM dispense_authorizations").fetchone()
        assert row is not None
        return int(row[0])

    def server_settings(self) -> dict[str, str]:
        """Durability settings in force (recorded with the figures)."""
        if self.is_sqlite:
            return {
                "journal_mode": "wal (set by the store)",
                "synchronous": "FULL (set by the store)",
                "sqlite_version": sqlite3.sqlite_version,
            }
        names = ("server_version", "fsync", "synchronous_commit", "shared_buffers", "wal_level")
        settings: dict[str, str] = {}
        with psycopg.connect(f"{PG_SERVER}/{PG_BENCH_DATABASE}") as connection:
            for name in names:
                row = connection.execute(sql.SQL("SHOW {}").format(sql.Identifier(name))).fetchone()
                settings[name] = str(row[0]) if row else "unknown"
        return settings


def _drop_statement() -> sql.Composed:
    return sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
        sql.Identifier(PG_BENCH_DATABASE)
    )


def _pg_admin() -> psycopg.Connection[tuple[object, ...]]:
    # CREATE/DROP DATABASE cannot run inside a transaction block.
    return psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True)


def sqlite_backend(root: Path) -> Backend:
    workdir = root / "sqlite"
    return Backend("sqlite", f"sqlite:///{workdir / 'isotrack.sqlite'}", workdir)


def postgres_backend(root: Path) -> Backend:
    return Backend(
        "postgres",
        f"postgresql+psycopg://postgres@127.0.0.1:5432/{PG_BENCH_DATABASE}",
        root / "postgres",
    )
