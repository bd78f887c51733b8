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

import argparse
import datetime as dt
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from loadtools import log
from machine import describe_machine, load_average
from page_server import Server, baseline_source, baseline_store, signed_in, summary, timed
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


def main() -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--courses", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=120)
    parser.add_argument("--baseline-requests", type=int, default=3)
    parser.add_argument("--baseline-ref", default="c7c6f5e")
    parser.add_argument(
        "--baseline-schema", default="0006", help="the newest migration the baseline code knows"
    )
    parser.add_argument("--workdir", type=Path, default=Path("/var/tmp/isotrack-bench-today"))
    parser.add_argument("--reuse", action="store_true", help="keep a store seeded before")
    parser.add_argument("--json", type=Path, default=REPO / "bench/results/today-page.json")
    args = parser.parse_args()

    today = dt.date.today()
    store = args.workdir / "isotrack.sqlite"
    url = f"sqlite:///{store}"
    if not args.reuse and args.workdir.exists():
        shutil.rmtree(args.workdir)
    args.workdir.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": describe_machine(),
        "command": " ".join(sys.argv),
        "code": subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short=12", "HEAD"],
            capture_output=True,
            text=True,
        ).stdout.strip(),
    }
    if not (args.reuse and store.exists()):
        result["store"] = prepare_store(url, args.courses, args.workdir, today)

    paths = [PAGES[i % len(PAGES)] for i in range(args.requests)]
    server = Server(url, args.workdir, "rows", None)
    try:
        client = signed_in(server.base_url, 60, PRESCRIBER, PASSWORD)
        timed(client, list(PAGES), 'id="today-table"')  # warm-up: one of each
        result["load_average_before_rows"] = load_average()
        rows = timed(client, paths, 'id="today-table"')
        health = timed(client, ["/healthz"] * args.requests, "")
        client.close()
    finally:
        server.stop()
    result["rows"] = summary(rows)
    result["rows_by_page"] = {
        page: summary([t for p, t in zip(paths, rows, strict=True) if p == page]) for page in PAGES
    }
    result["healthz"] = summary(health)
    log(f"rows: {result['rows']}")

    if args.baseline_requests:
        source = baseline_source(args.baseline_ref, args.workdir)
        old_url = baseline_store(store, args.workdir / "baseline.sqlite", args.baseline_schema)
        server = Server(old_url, args.workdir, "baseline", str(source))
        try:
            client = signed_in(server.base_url, 3600, PRESCRIBER, PASSWORD)
            result["load_average_before_baseline"] = load_average()
            old = timed(client, ["/today"] * args.baseline_requests, 'id="today-table"')
            client.close()
        finally:
            server.stop()
        result["baseline"] = summary(old) | {"ref": args.baseline_ref}
        result["p95_ratio_baseline_to_rows"] = (
            result["baseline"]["p95_ms"] / result["rows"]["p95_ms"]
        )
        log(f"baseline: {result['baseline']}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(
        json.dumps(
            {
                k: result.get(k)
                for k in ("rows", "healthz", "baseline", "p95_ratio_baseline_to_rows")
            },
            indent=2,
        )
    )
    return result


if __name__ == "__main__":
    main()
