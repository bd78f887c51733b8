"""The pharmacy's queue with 5 000 courses: p95 over HTTP, worklist rows against the old page
that read and decided every course on each request.

One run:

1. seeds a SQLite store on disk with ``--courses`` patients (the synthetic clinic of
   ``bench/cohort.py``: each course's newest prescription, written in the last few days, is
   waiting to be filled) and writes each course's worklist row, as ``today_page.py`` does;
2. starts ``isotrack serve --workers 1`` on 127.0.0.1 (this code), signs the pharmacist in and
   requests the queue ``--requests`` times, one at a time, cycling through the first page and
   later ones; then ``/healthz`` as many times, for the yardstick of the same server;
3. starts the same command on the code of ``--baseline-ref`` (``git archive`` of that commit's
   ``src`` first on ``PYTHONPATH``: the queue before it read the rows) against a copy of the
   store taken back to that code's schema, and requests its queue ``--baseline-requests``
   times (each reads and decides every course; it had no paging).

Latency is wall time per request measured by the client (one connection, keep-alive); the load
average is recorded before each part.

    .venv/bin/python bench/pharmacy_queue.py                 # 5 000 courses, 120 + 2 requests
    .venv/bin/python bench/pharmacy_queue.py --courses 500 --requests 30 --baseline-requests 1
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from page_bench import PageBench, run_page_bench
from seed import PHARMACIST
from today_page import prepare_store

REPO = Path(__file__).resolve().parent.parent
PASSWORD = "bench-pharmacist-pw"  # bench/seed.py's pharmacist
PAGES = (
    "/pharmacy/queue",
    "/pharmacy/queue?page=2",
    "/pharmacy/queue?page=50",
    "/pharmacy/queue?page=100",
)


BENCH = PageBench(
    description=__doc__.splitlines()[0],
    username=PHARMACIST,
    password=PASSWORD,
    pages=PAGES,
    mark='id="queue"',
    baseline_page=PAGES[0],
    baseline_requests=2,
    baseline_ref="66ac901",
    baseline_schema="0010",
    workdir=Path("/var/tmp/isotrack-bench-queue"),
    json_path=REPO / "bench/results/pharmacy-queue.json",
    prepare_store=prepare_store,
)


def main() -> dict[str, Any]:
    return run_page_bench(BENCH)


if __name__ == "__main__":
    main()
