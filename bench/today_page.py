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
import io
import json
import os
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tarfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from loadtools import free_port, log
from machine import describe_machine, load_average
from seed import PRESCRIBER, seed

from isotrack.service.context import open_service
from isotrack.service.settings import Settings
from isotrack.service.worklist import refresh_worklist
from isotrack.store.database import downgrade_schema, open_database, upgrade_schema

REPO = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
PASSWORD = "bench-prescriber-pw"  # bench/seed.py's prescriber
PAGES = (
    "/today",
    "/today?page=2",
    "/today?page=60",
    "/today?q=Bench+patient+123",
    "/today?status=due",
    "/today?status=blocked",
)


class Server:
    """``isotrack serve`` as a child process in its own session, stopped by its PID."""

    def __init__(self, url: str, workdir: Path, name: str, pythonpath: str | None) -> None:
        self.port = free_port()
        command = [
            str(VENV_BIN / "isotrack"),
            "serve",
            "--workers",
            "1",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
        ]
        env = os.environ | {
            "ISOTRACK_DATABASE_URL": url,
            "ISOTRACK_SECRET_KEY": "bench-secret-key-not-for-production",
        }
        if pythonpath:
            env["PYTHONPATH"] = pythonpath
        self.log_path = workdir / f"serve-{name}.log"
        self._log = self.log_path.open("w")
        self.process = subprocess.Popen(
            command,
            cwd=workdir,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.base_url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log_path.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.5)
        self.stop()
        raise RuntimeError("server not ready after 600 s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self._log.close()


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def _summary(seconds: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in seconds]
    return {
        "requests": len(ms),
        "p50_ms": statistics.median(ms),
        "p95_ms": _percentile(ms, 0.95),
        "max_ms": max(ms),
    }


def _timed(client: httpx.Client, paths: list[str], check: str) -> list[float]:
    took = []
    for path in paths:
        started = time.perf_counter()
        answer = client.get(path)
        took.append(time.perf_counter() - started)
        if answer.status_code != 200 or check not in answer.text:
            raise RuntimeError(f"{path}: {answer.status_code} {answer.text[:300]}")
    return took


def _signed_in(base_url: str, timeout_s: float) -> httpx.Client:
    client = httpx.Client(base_url=base_url, timeout=timeout_s, follow_redirects=True)
    page = client.post("/signin", data={"username": PRESCRIBER, "password": PASSWORD, "next": ""})
    if page.status_code != 200:
        raise RuntimeError(f"sign-in failed: {page.status_code} {page.text[:300]}")
    return client


def _baseline_source(ref: str, workdir: Path) -> Path:
    target = workdir / f"src-{ref}"
    if not target.exists():
        archive = subprocess.run(
            ["git", "-C", str(REPO), "archive", ref, "src"], check=True, capture_output=True
        ).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(target, filter="data")
    return target / "src"


def _baseline_store(store: Path, copy: Path, revision: str) -> str:
    """A copy of the store taken back to the baseline code's schema (``serve`` refuses a
    schema newer than its own); the courses, users and rows stay as they are."""
    copy.unlink(missing_ok=True)
    with sqlite3.connect(store) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    url = f"sqlite:///{copy}"
    database = open_database(url)
    downgrade_schema(database, revision)
    database.dispose()
    return url


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
        client = _signed_in(server.base_url, 60)
        _timed(client, list(PAGES), 'id="today-table"')  # warm-up: one of each
        result["load_average_before_rows"] = load_average()
        rows = _timed(client, paths, 'id="today-table"')
        health = _timed(client, ["/healthz"] * args.requests, "")
        client.close()
    finally:
        server.stop()
    result["rows"] = _summary(rows)
    result["rows_by_page"] = {
        page: _summary([t for p, t in zip(paths, rows, strict=True) if p == page]) for page in PAGES
    }
    result["healthz"] = _summary(health)
    log(f"rows: {result['rows']}")

    if args.baseline_requests:
        source = _baseline_source(args.baseline_ref, args.workdir)
        old_url = _baseline_store(store, args.workdir / "baseline.sqlite", args.baseline_schema)
        server = Server(old_url, args.workdir, "baseline", str(source))
        try:
            client = _signed_in(server.base_url, 3600)
            result["load_average_before_baseline"] = load_average()
            old = _timed(client, ["/today"] * args.baseline_requests, 'id="today-table"')
            client.close()
        finally:
            server.stop()
        result["baseline"] = _summary(old) | {"ref": args.baseline_ref}
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
