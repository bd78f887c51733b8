"""Seed a fresh isotrack database with the synthetic clinic of :mod:`cohort`.

Every course goes in through the store's own import path (``import_timeline``): the same
validation, the same canonical JSON and the same hash chain as ``isotrack import``, so
``isotrack verify`` passes on the seeded database. Courses are committed in batches (one
transaction per batch) only to save fsyncs while seeding; the chain of each course is computed
by the store exactly as for a single import.

Also creates the benchmark's prescriber and pharmacist and a bearer token for the pharmacist,
and writes ``targets.txt`` (one ``course_id prescription_id`` per line) for the load scripts.

    .venv/bin/python bench/seed.py --url sqlite:////var/tmp/isotrack-bench/isotrack.sqlite \
        --patients 100000 --out /var/tmp/isotrack-bench
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

from cohort import synthetic_timeline

from isotrack.domain.timeline import Timeline
from isotrack.store.courses import import_timeline
from isotrack.store.database import Database, open_database, upgrade_schema
from isotrack.store.users import Role, SessionKind, create_user, issue_session

BATCH = 500
PHARMACIST = "bench-pharmacist"
PRESCRIBER = "bench-prescriber"
TOKEN_LIFETIME_SECONDS = 7 * 24 * 3600


@dataclass(frozen=True)
class SeedResult:
    patients: int
    events: int
    seconds: float
    token: str
    today: str


def _seed_range(url: str, first: int, stop: int, today: dt.date, prescriber_id: str) -> int:
    """Import patients ``first``..``stop - 1`` (one worker process); returns the event count."""
    database = open_database(url)
    events = 0
    try:
        for batch_first in range(first, stop, BATCH):
            # Built outside the transaction: on SQLite the write lock is held only to import.
            batch = []
            for number in range(batch_first, min(batch_first + BATCH, stop)):
                document, due_rx = synthetic_timeline(number, today)
                batch.append((number, due_rx, Timeline.model_validate(document)))
            with database.writing() as connection:
                for number, due_rx, timeline in batch:
                    import_timeline(
                        connection,
                        timeline,
                        recorded_by=PRESCRIBER,
                        prescriber_user_id=prescriber_id,
                        display_name=f"Bench patient {number}",
                        course_id=due_rx.course_id,
                    )
                    events += len(timeline.events)
            if first == 0:
                done = min(batch_first + BATCH, stop)
                print(f"  worker 0: {done - first}/{stop - first} patients", file=sys.stderr,
                      flush=True)  # fmt: skip
    finally:
        database.dispose()
    return events


def seed(
    database: Database, patients: int, today: dt.date, out_dir: Path, jobs: int = 2
) -> SeedResult:
    """Create the users, ``patients`` courses and the targets file; the schema must be current.

    ``jobs`` processes build and import disjoint patient ranges at the same time (on SQLite
    their batches take turns at the write lock; building the events is most of the work).
    """
    with database.writing() as connection:
        prescriber = create_user(
            connection, username=PRESCRIBER, password="bench-prescriber-pw", role=Role.PRESCRIBER
        )
        pharmacist = create_user(
            connection, username=PHARMACIST, password="bench-pharmacist-pw", role=Role.PHARMACIST
        )
        token = issue_session(
            connection, pharmacist, SessionKind.BEARER, TOKEN_LIFETIME_SECONDS
        ).token
    started = time.perf_counter()
    step = -(-patients // jobs)
    ranges = [(i, min(i + step, patients)) for i in range(0, patients, step)]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = [
            pool.submit(_seed_range, database.url, a, b, today, prescriber.id) for a, b in ranges
        ]
        events = sum(f.result() for f in futures)
    seconds = time.perf_counter() - started
    due = [synthetic_timeline(number, today)[1] for number in range(patients)]
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "targets.txt").write_text(
        "".join(f"{d.course_id} {d.prescription_id}\n" for d in due), encoding="ascii"
    )
    (out_dir / "token.txt").write_text(token, encoding="ascii")
    result = SeedResult(patients, events, seconds, token, today.isoformat())
    (out_dir / "seed.json").write_text(json.dumps(asdict(result) | {"token": "(token.txt)"}))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="SQLAlchemy URL of an EMPTY database")
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--out", type=Path, required=True, help="where targets.txt goes")
    parser.add_argument("--jobs", type=int, default=2, help="seeding processes")
    parser.add_argument("--today", type=dt.date.fromisoformat, default=dt.date.today())
    args = parser.parse_args()
    database = open_database(args.url)
    try:
        upgrade_schema(database)
        result = seed(database, args.patients, args.today, args.out, args.jobs)
    finally:
        database.dispose()
    print(
        f"seeded {result.patients} patients, {result.events} events in {result.seconds:.1f} s",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
