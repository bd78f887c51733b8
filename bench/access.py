"""B5: the data access behind one dispense decision, through the store and through the raw driver.

One decision reads what the service reads before it decides: the pharmacist's session (bearer
token lookup) and the course (header and events, one statement). The store variant calls the
store functions the API calls, on the connection the API uses (``Database.direct()``: the
thread's own driver connection, in autocommit). The raw variant runs the same SQL text (the
store's compiled statements) with the raw driver (``sqlite3`` or ``psycopg``) on one open
autocommit connection and fetches every row, building nothing.

Rounds alternate store and raw; each round times ``--ops`` random courses after ``--warmup``.
Prints one JSON object (per-op microseconds of each round, medians, ratio of medians).

    .venv/bin/python bench/access.py --url URL --targets targets.txt --token-file token.txt
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sqlite3
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy.engine import make_url

from isotrack.store.clock import epoch_seconds
from isotrack.store.courses import COURSE_QUERY, read_course
from isotrack.store.database import (
    SQLITE_BUSY_TIMEOUT_MS,
    SQLITE_MMAP_BYTES,
    Database,
    is_sqlite,
    open_database,
)
from isotrack.store.users import SESSION_QUERY, session_for_token

Operation = Callable[[str], object]


def store_operation(database: Database, token: str) -> Operation:
    """What the API does before deciding: the session, then the course."""

    def load(course_id: str) -> object:
        with database.direct() as reader:
            session = session_for_token(reader, token)
            course = read_course(reader, course_id)
        assert session is not None
        return course

    return load


def raw_operation(database: Database, token: str) -> tuple[Operation, Callable[[], None]]:
    """The same two statements on one raw driver connection; returns (operation, close)."""
    dialect = database.read.dialect
    session_sql = SESSION_QUERY.compiled_for(dialect)
    course_sql = COURSE_QUERY.compiled_for(dialect)
    token_sha256 = hashlib.sha256(token.encode()).hexdigest()
    parsed = make_url(database.url)
    if is_sqlite(database.url):
        connection = sqlite3.connect(parsed.database or "", isolation_level=None)
        # The store's connection settings, so that each read does the same work.
        for pragma in (
            f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}",
            "PRAGMA journal_mode=WAL",
            "PRAGMA synchronous=FULL",
            "PRAGMA foreign_keys=ON",
            f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}",
        ):
            connection.execute(pragma)

        def load_sqlite(course_id: str) -> object:
            session = connection.execute(
                session_sql.sql,
                session_sql.parameters({"token_sha256": token_sha256, "now": epoch_seconds()}),
            ).fetchall()
            course = connection.execute(
                course_sql.sql, course_sql.parameters({"course_id": course_id})
            ).fetchall()
            return session, course

        return load_sqlite, connection.close
    conninfo = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    pg = psycopg.connect(conninfo, autocommit=True)

    def load_pg(course_id: str) -> object:
        with pg.cursor() as cursor:
            cursor.execute(
                session_sql.sql,
                session_sql.parameters({"token_sha256": token_sha256, "now": epoch_seconds()}),
            )
            session = cursor.fetchall()
            cursor.execute(course_sql.sql, course_sql.parameters({"course_id": course_id}))
            return session, cursor.fetchall()

    return load_pg, pg.close


def time_round(operation: Operation, course_ids: Sequence[str]) -> float:
    """Mean microseconds per operation over ``course_ids``."""
    started = time.perf_counter_ns()
    for course_id in course_ids:
        operation(course_id)
    return (time.perf_counter_ns() - started) / len(course_ids) / 1000


def measure(
    url: str, targets: list[str], token: str, ops: int, warmup: int, rounds: int
) -> dict[str, Any]:
    database = open_database(url)
    rng = random.Random(5)
    raw, close_raw = raw_operation(database, token)
    store = store_operation(database, token)
    for operation in (store, raw):
        time_round(operation, rng.choices(targets, k=warmup))
    results: dict[str, list[float]] = {"store": [], "raw": []}
    for _ in range(rounds):
        for name, operation in (("store", store), ("raw", raw)):
            results[name].append(time_round(operation, rng.choices(targets, k=ops)))
    close_raw()
    database.dispose()
    store_median = statistics.median(results["store"])
    raw_median = statistics.median(results["raw"])
    return {
        "statements": [
            query.sql_for(database.read.dialect) for query in (SESSION_QUERY, COURSE_QUERY)
        ],
        "ops_per_round": ops,
        "warmup": warmup,
        "rounds": rounds,
        "store_us": results["store"],
        "raw_us": results["raw"],
        "store_median_us": store_median,
        "raw_median_us": raw_median,
        "ratio": store_median / raw_median,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--targets", type=Path, required=True)
    parser.add_argument("--token-file", type=Path, required=True)
    parser.add_argument("--ops", type=int, default=20_000)
    parser.add_argument("--warmup", type=int, default=1_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    targets = [line.split()[0] for line in args.targets.read_text().splitlines() if line]
    token = args.token_file.read_text().strip()
    result = measure(args.url, targets, token, args.ops, args.warmup, args.rounds)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
