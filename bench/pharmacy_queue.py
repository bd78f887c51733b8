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

import argparse
import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from loadtools import log
from machine import describe_machine, load_average
from page_server import Server, baseline_source, baseline_store, signed_in, summary, timed
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
MARK = 'id="queue"'


def main() -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--courses", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=120)
    parser.add_argument("--baseline-requests", type=int, default=2)
    parser.add_argument("--baseline-ref", default="66ac901")
    parser.add_argument(
        "--baseline-schema", default="0010", help="the newest migration the baseline code knows"
    )
    parser.add_argument("--workdir", type=Path, default=Path("/var/tmp/isotrack-bench-queue"))
    parser.add_argument("--reuse", action="store_true", help="keep a store seeded before")
    parser.add_argument("--json", type=Path, default=REPO / "bench/results/pharmacy-queue.json")
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
        client = signed_in(server.base_url, 60, PHARMACIST, PASSWORD)
        timed(client, list(PAGES), MARK)  # warm-up: one of each
        result["load_average_before_rows"] = load_average()
        rows = timed(client, paths, MARK)
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
            client = signed_in(server.base_url, 3600, PHARMACIST, PASSWORD)
            result["load_average_before_baseline"] = load_average()
            old = timed(client, [PAGES[0]] * args.baseline_requests, MARK)
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
