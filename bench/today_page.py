"""The prescriber's today page with 5 000 courses: p95 over HTTP, worklist rows against the old
page that ran every engine for every patient on each request.

One run:

1. seeds a SQLite store on disk with ``--courses`` patients in one prescriber's care (the
   dispense benchmark's synthetic clinic, ``bench/cohort.py``, through the store's import path)
   and writes each course's worklist row (``service.worklist.refresh_worklist``, what
   ``isotrack serve`` does at start);
2. starts ``isotrack serve --workers 1`` on 127.0.0.1 (this code), signs the prescriber in and
   requests the today page ``--requests`` times, one at a time, cycling through the first page,
   later pages, a name search and two status filters; then ``/healthz`` as many times, for
   the yardstick of the same server;
3. starts the same command on the code of ``--baseline-ref`` (``git archive`` of that commit's
   ``src``, put first on ``PYTHONPATH``: the page before it read the rows) against the same
   store, and requests its today page ``--baseline-requests`` times (each evaluates every
   course; it had no paging, search or filter).

Latency is wall time per request measured by the client (one connection, keep-alive), so the
machine's load shows in it; the load average is recorded before each part.

    .venv/bin/python bench/today_page.py                      # 5 000 courses, 120 + 3 requests
    .venv/bin/python bench/today_page.py --courses 500 --requests 30 --baseline-requests 2
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from loadtools import log
from page_bench import PageBench, run_page_bench
from seed import PRESCRIBER, seed

from isotrack.service.context import open_service
from isotrack.service.settings import Settings
from isotrack.service.worklist import refresh_worklist
from isotrack.store.database import open_database, upgrade_schema

REPO = Path(__file__).resolve().parent.parent
PASSWORD = "bench-prescriber-pw"  # bench/seed.py's prescriber
PAGES = (
    "/today",
    "/today?page=2",
    "/today?page=60",
    "/today?q=Bench+patient+123",
    "/today?status=due",
    "/today?status=blocked",
)


def prepare_store(url: str, courses: int, workdir: Path, today: dt.date) -> dict[str, Any]:
    database = open_database(url)
    upgrade_schema(database)
    started = time.perf_counter()
    seeded = seed(database, courses, today, workdir, jobs=2)
    database.dispose()
    log(f"seeded {seeded.patients} courses, {seeded.events} events")
    service = open_service(Settings(database_url=url, secret_key="b" * 32), today=lambda: today)
    service.start()
    try:
        rows = refresh_worklist(service)
    finally:
        service.close()
    log(f"worklist rows written: {rows}")
    return {
        "courses": seeded.patients,
        "events": seeded.events,
        "rows": rows,
        "seconds": time.perf_counter() - started,
    }


BENCH = PageBench(
    description=__doc__.splitlines()[0],
    username=PRESCRIBER,
    password=PASSWORD,
    pages=PAGES,
    mark='id="today-table"',
    baseline_page="/today",
    baseline_requests=3,
    baseline_ref="c7c6f5e",
    baseline_schema="0006",
    workdir=Path("/var/tmp/isotrack-bench-today"),
    json_path=REPO / "bench/results/today-page.json",
    prepare_store=prepare_store,
)


def main() -> dict[str, Any]:
    return run_page_bench(BENCH)


if __name__ == "__main__":
    main()
