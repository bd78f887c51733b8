"""One run of a page benchmark (``today_page.py``, ``pharmacy_queue.py``): options, a seeded
store, this code's page timed against ``/healthz`` of the same server, then the page of an
earlier commit against a copy of the store taken back to that commit's schema."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loadtools import log
from machine import describe_machine, load_average
from page_server import Server, baseline_source, baseline_store, signed_in, summary, timed

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class PageBench:
    """What differs between the page benchmarks: who signs in, which pages, and defaults."""

    description: str
    username: str
    password: str
    pages: tuple[str, ...]
    mark: str  # a piece of the page's HTML that says it rendered
    baseline_page: str
    baseline_requests: int
    baseline_ref: str
    baseline_schema: str  # the newest migration the baseline code knows
    workdir: Path
    json_path: Path
    prepare_store: Callable[[str, int, Path, dt.date], dict[str, Any]]


def _options(bench: PageBench) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=bench.description)
    parser.add_argument("--courses", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=120)
    parser.add_argument("--baseline-requests", type=int, default=bench.baseline_requests)
    parser.add_argument("--baseline-ref", default=bench.baseline_ref)
    parser.add_argument(
        "--baseline-schema",
        default=bench.baseline_schema,
        help="the newest migration the baseline code knows",
    )
    parser.add_argument("--workdir", type=Path, default=bench.workdir)
    parser.add_argument("--reuse", action="store_true", help="keep a store seeded before")
    parser.add_argument("--json", type=Path, default=bench.json_path)
    return parser.parse_args()


def run_page_bench(bench: PageBench) -> dict[str, Any]:
    args = _options(bench)
    store = args.workdir / "isotrack.sqlite"
    url = f"sqlite:///{store}"
    if not args.reuse and args.workdir.exists():
        shutil.rmtree(args.workdir)
    args.workdir.mkdir(parents=True, exist_ok=True)
    code = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short=12", "HEAD"],
                          capture_output=True, text=True).stdout.strip()  # fmt: skip
    result: dict[str, Any] = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": describe_machine(),
        "command": " ".join(sys.argv),
        "code": code,
    }
    if not (args.reuse and store.exists()):
        result["store"] = bench.prepare_store(url, args.courses, args.workdir, dt.date.today())

    paths = [bench.pages[i % len(bench.pages)] for i in range(args.requests)]
    server = Server(url, args.workdir, "serve-rows", None)
    try:
        client = signed_in(server.base_url, 60, bench.username, bench.password)
        timed(client, list(bench.pages), bench.mark)  # warm-up: one of each
        result["load_average_before_rows"] = load_average()
        rows = timed(client, paths, bench.mark)
        health = timed(client, ["/healthz"] * args.requests, "")
        client.close()
    finally:
        server.stop()
    result["rows"] = summary(rows)
    result["rows_by_page"] = {
        page: summary([t for p, t in zip(paths, rows, strict=True) if p == page])
        for page in bench.pages
    }
    result["healthz"] = summary(health)
    log(f"rows: {result['rows']}")

    if args.baseline_requests:
        source = baseline_source(args.baseline_ref, args.workdir)
        old_url = baseline_store(store, args.workdir / "baseline.sqlite", args.baseline_schema)
        server = Server(old_url, args.workdir, "serve-baseline", str(source))
        try:
            client = signed_in(server.base_url, 3600, bench.username, bench.password)
            result["load_average_before_baseline"] = load_average()
            old = timed(client, [bench.baseline_page] * args.baseline_requests, bench.mark)
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
    shown = ("rows", "healthz", "baseline", "p95_ratio_baseline_to_rows")
    print(json.dumps({k: result.get(k) for k in shown}, indent=2))
    return result
