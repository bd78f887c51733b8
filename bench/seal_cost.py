"""What signing costs on the write paths: the group-commit authorization writer and the event
append, each with its seals and with seal writing switched off, in the same run.

    .venv/bin/python bench/seal_cost.py [--database-url URL] [--batches 100]

Reports commits per second of 32-record authorization batches (one seal over each batch since
decision 50; one per record before) and appends per second, with seals and without (the
baseline: the code before issue 16's tamper evidence), and the ratio.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests" / "service"), str(ROOT / "tests")]
os.environ.setdefault("ISOTRACK_PASSWORD_HASH_PROFILE", "CHEAPEST")

import isotrack.store.authorizations as authorizations  # noqa: E402
import isotrack.store.courses as courses  # noqa: E402
from isotrack.domain.timeline import parse_event  # noqa: E402
from isotrack.store.database import Database, open_database, upgrade_schema  # noqa: E402
from isotrack.store.group_commit import GroupCommit  # noqa: E402

BATCH = 32


@contextmanager
def seals_off() -> Iterator[None]:
    saved = authorizations.insert_seals, authorizations.seal_batch, courses.seal_head
    authorizations.insert_seals = lambda *_args, **_kw: None  # type: ignore[assignment]
    authorizations.seal_batch = lambda *_args, **_kw: None  # type: ignore[assignment]
    courses.seal_head = lambda *_args, **_kw: None  # type: ignore[assignment]
    try:
        yield
    finally:
        authorizations.insert_seals, authorizations.seal_batch, courses.seal_head = saved


def _authorization_batches(db: Database, course_id: str, batches: int) -> float:
    writer = authorizations.AuthorizationWriter(GroupCommit(db))
    writer.start()
    started = time.perf_counter()
    for _ in range(batches):
        records = [
            authorizations.make_record(
                course_id=course_id,
                prescription_id="rx1",
                decided_on=dt.date(2026, 10, 15),
                authorized=True,
                dispense_by=dt.date(2026, 10, 21),
                max_days_supply=30,
                decision={"authorized": True, "reasons": []},
                requested_by="u-bench",
            )
            for _ in range(BATCH)
        ]
        writer.submit_batch(records).result()
    elapsed = time.perf_counter() - started
    writer.close()
    return batches / elapsed


def _appends(db: Database, course_id: str, count: int, tag: str) -> float:
    started = time.perf_counter()
    for n in range(count):
        event = parse_event(
            {"id": f"{tag}-{n}", "type": "weight", "date": "2026-10-15", "weight_kg": 70.0}
        )
        with db.writing() as connection:
            courses.append_event(
                connection, course_id, event, recorded_by="dr.lee", expected_version=None
            )
    return count / (time.perf_counter() - started)


def _measure(db: Database, course_id: str, batches: int, tag: str) -> tuple[float, float]:
    return _authorization_batches(db, course_id, batches), _appends(db, course_id, batches, tag)


def main() -> int:
    from service_clinic import build_clinic

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--batches", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        os.environ.setdefault("ISOTRACK_CHAIN_KEY_FILE", str(Path(directory) / "key"))
        url = args.database_url or f"sqlite:///{Path(directory) / 'bench.sqlite'}"
        db = open_database(url)
        upgrade_schema(db)
        clinic = build_clinic(db)
        course_id = clinic.courses["demo-01"].id
        for round_ in range(2):  # alternate, so neither side gets only a warm or cold machine
            with seals_off():
                base = _measure(db, course_id, args.batches, f"a{round_}")
            signed = _measure(db, course_id, args.batches, f"b{round_}")
            print(
                f"round {round_ + 1} ({db.dialect}): authorization batches of {BATCH}: "
                f"{signed[0]:.0f}/s signed vs {base[0]:.0f}/s unsigned "
                f"(ratio {signed[0] / base[0]:.2f}); appends: {signed[1]:.0f}/s signed vs "
                f"{base[1]:.0f}/s unsigned (ratio {signed[1] / base[1]:.2f})",
                flush=True,
            )
        db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
