"""B5: the data access behind one dispense decision, through the store and through the raw driver.

One decision reads what the service reads before it decides: the pharmacist's session (bearer
token lookup) and the course (header, then its events in order). The store variant calls the
store functions the API calls, in one read transaction from ``Database.reading()``. The raw
variant runs the very SQL text the store sent (captured from the driver cursor) with the raw
driver (``sqlite3`` or ``psycopg``) on one open connection, also inside BEGIN ... COMMIT.

Rounds alternate store and raw; each round times ``--ops`` random courses after ``--warmup``.
Prints one JSON object (per-op microseconds of each round, medians, ratio of medians).

    .venv/bin/python bench/access.py --url URL --targets targets.txt --token-file token.txt
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import event
from sqlalchemy.engine import make_url

from isotrack.store.clock import epoch_seconds
from isotrack.store.courses import read_course
from isotrack.store.database import Database, is_sqlite, open_database
from isotrack.store.users import session_for_token

Operation = Callable[[str], object]


def store_operation(database: Database, token: str) -> Operation:
    """What the API does before deciding: the session, then the course, in one snapshot."""

    def load(course_id: str) -> object:
        with database.reading() as connection:
            session = session_for_token(connection, token)
            course = read_course(connection, course_id)
        assert session is not None
        return course

    return load


def capture_statements(database: Database, token: str, course_id: str) -> list[tuple[str, Any]]:
    """The SQL text and parameters the store sends for one load (BEGIN/COMMIT excluded)."""
    seen: list[tuple[str, Any]] = []

    def remember(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any) -> None:
        if statement.strip().upper() not in ("BEGIN", "COMMIT", "ROLLBACK"):
            seen.append((statement, parameters))

    event.listen(database.read, "before_cursor_execute", remember)
    try:
        store_operation(database, token)(course_id)
    finally:
        event.remove(database.read, "before_cursor_execute", remember)
    return seen


def _rebind(parameters: Any, course_from: str, course_to: str, epoch_from: int) -> Any:
    """The captured parameters for another course (and the current time for session expiry)."""

    def swap(value: Any) -> Any:
        if value == course_from:
            return course_to
        if isinstance(value, int) and not isinstance(value, bool) and value == epoch_from:
            return epoch_seconds()
        return value

    if isinstance(parameters, dict):
        return {name: swap(value) for name, value in parameters.items()}
    return tuple(swap(value) for value in parameters)


def raw_operation(
    url: str, statements: Sequence[tuple[str, Any]], course_from: str, epoch_from: int
) -> tuple[Operation, Callable[[], None]]:
    """The same statements on one raw driver connection; returns (operation, close)."""
    parsed = make_url(url)
    if is_sqlite(url):
        connection = sqlite3.connect(parsed.database or "", isolation_level=None)
        # The store's connection settings (bench: same pragmas, so the same work per read).
        for pragma in (
            "PRAGMA busy_timeout=10000",
            "PRAGMA journal_mode=WAL",
            "PRAGMA synchronous=FULL",
            "PRAGMA foreign_keys=ON",
        ):
            connection.execute(pragma)

        def load_sqlite(course_id: str) -> object:
            connection.execute("BEGIN")
            rows = [
                connection.execute(
                    sql, _rebind(params, course_from, course_id, epoch_from)
                ).fetchall()
                for sql, params in statements
            ]
            connection.execute("COMMIT")
            return rows

        return load_sqlite, connection.close
    conninfo = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    pg = psycopg.connect(conninfo)

    def load_pg(course_id: str) -> object:
        with pg.cursor() as cursor:
            rows = []
            for sql, params in statements:
                cursor.execute(sql, _rebind(params, course_from, course_id, epoch_from))
                rows.append(cursor.fetchall())
        pg.commit()
        return rows

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
    probe = targets[0]
    epoch = epoch_seconds()
    statements = capture_statements(database, token, probe)
    # The captured expiry parameter is "now" as the store computed it: find it to refresh it.
    epoch_from = next(
        (
            value
            for _sql, params in statements
            for value in (params.values() if isinstance(params, dict) else params)
            if isinstance(value, int) and not isinstance(value, bool) and abs(value - epoch) <= 2
        ),
        -1,
    )
    raw, close_raw = raw_operation(url, statements, probe, epoch_from)
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
        "statements": [sql for sql, _params in statements],
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
