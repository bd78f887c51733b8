"""The dispense-decision benchmark (issue 5, performance anchors B1 and B5).

For each database (SQLite, then PostgreSQL) it creates an empty database, seeds the synthetic
clinic (:mod:`seed`), measures the store's data access in process (B5, :mod:`access`), starts
``isotrack serve --workers 2`` on a free loopback port and loads it from the same machine:

1. throughput: ``wrk -t1 -c32`` closed loop on the decision POST, then on ``/healthz``, in
   the same server run, repeated; decisions/s and the ratio to ``/healthz``;
2. latency at a fixed 500 requests/s for 60 s (20 connections x 25/s, ``hey -q``): p99;
3. a storm of 100 000 decisions from 64 connections (``wrk`` with a per-thread request limit);
   the committed authorizations are counted before and after.

Results go to ``bench/results/<backend>.json``; ``bench/report.py`` renders
``docs/benchmarks.md`` from them. Servers are stopped by PID; the PostgreSQL benchmark database
is dropped at the end (``--keep`` keeps both databases).

    .venv/bin/python bench/dispense.py            # full run (about 25 min per database)
    .venv/bin/python bench/dispense.py --quick    # 5 000 patients, short runs
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from backends import Backend, postgres_backend, sqlite_backend
from loadtools import (
    Targets,
    hey_fixed_rate,
    log,
    wrk_dispense,
    wrk_health,
    wrk_storm,
)
from machine import describe_machine, load_average
from page_server import Server

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
VENV_BIN = Path(sys.executable).parent
RESULTS_DIR = BENCH_DIR / "results"


@dataclass(frozen=True)
class Plan:
    """How much to do; ``--quick`` shrinks everything."""

    patients: int
    throughput_runs: int
    throughput_seconds: int
    latency_runs: int
    latency_seconds: int
    latency_connections: int
    latency_rate_per_connection: int
    storm_decisions: int
    storm_connections: int
    access_ops: int
    access_warmup: int
    access_rounds: int


FULL = Plan(100_000, 5, 20, 3, 60, 20, 25, 100_000, 64, 20_000, 1_000, 5)
QUICK = Plan(5_000, 2, 8, 1, 15, 20, 25, 4_000, 64, 2_000, 200, 3)


def _spread(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    quartiles = statistics.quantiles(ordered, n=4) if len(ordered) >= 2 else ordered * 3
    return {
        "median": statistics.median(ordered),
        "min": ordered[0],
        "max": ordered[-1],
        "q1": quartiles[0],
        "q3": quartiles[-1],
    }


def seed_database(backend: Backend, plan: Plan) -> dict[str, Any]:
    command = [
        sys.executable, str(BENCH_DIR / "seed.py"), "--url", backend.url,
        "--patients", str(plan.patients), "--out", str(backend.workdir),
    ]  # fmt: skip
    log(f"seeding {plan.patients} patients: {' '.join(command)}")
    started = time.monotonic()
    subprocess.run(command, check=True, cwd=REPO)
    seeded: dict[str, Any] = json.loads((backend.workdir / "seed.json").read_text())
    seeded["wall_seconds"] = time.monotonic() - started
    seeded["command"] = " ".join(command)
    return seeded


def measure_access(backend: Backend, plan: Plan) -> dict[str, Any]:
    command = [
        sys.executable, str(BENCH_DIR / "access.py"), "--url", backend.url,
        "--targets", str(backend.workdir / "targets.txt"),
        "--token-file", str(backend.workdir / "token.txt"),
        "--ops", str(plan.access_ops), "--warmup", str(plan.access_warmup),
        "--rounds", str(plan.access_rounds),
    ]  # fmt: skip
    log("B5: data access in process, store vs raw driver")
    load_before = load_average()
    done = subprocess.run(command, check=True, capture_output=True, text=True, cwd=REPO)
    result: dict[str, Any] = json.loads(done.stdout)
    result["command"] = " ".join(command)
    result["load_before"] = load_before
    return result


def measure_throughput(targets: Targets, plan: Plan) -> dict[str, Any]:
    runs: list[dict[str, Any]] = []
    for run in range(plan.throughput_runs):
        load_before = load_average()
        decisions = wrk_dispense(
            targets, threads=1, connections=32, duration_s=plan.throughput_seconds, seed=run + 1
        )
        health = wrk_health(targets, threads=1, connections=32, duration_s=plan.throughput_seconds)
        ratio = decisions.requests_per_second / health.requests_per_second
        log(
            f"  run {run + 1}: {decisions.requests_per_second:.0f} decisions/s, "
            f"/healthz {health.requests_per_second:.0f}/s, ratio {ratio:.3f}, "
            f"errors {decisions.errors}+{health.errors}, load {load_before[0]:.1f}"
        )
        runs.append(
            {
                "decisions_per_second": decisions.requests_per_second,
                "health_per_second": health.requests_per_second,
                "ratio": ratio,
                "errors": decisions.errors + health.errors,
                "decision_p50_ms": decisions.detail["p50_us"] / 1000,
                "decision_p99_ms": decisions.detail["p99_us"] / 1000,
                "load_before": load_before,
                "commands": [decisions.command, health.command],
            }
        )
    return {
        "runs": runs,
        "decisions_per_second": _spread([r["decisions_per_second"] for r in runs]),
        "health_per_second": _spread([r["health_per_second"] for r in runs]),
        "ratio": _spread([r["ratio"] for r in runs]),
        "errors": sum(r["errors"] for r in runs),
    }


def measure_latency(
    backend: Backend, targets: Targets, plan: Plan, due: list[tuple[str, str]]
) -> dict[str, Any]:
    runs: list[dict[str, Any]] = []
    rng = random.Random(11)
    for run in range(plan.latency_runs):
        courses = rng.sample(due, plan.latency_connections)
        rows_before = backend.count_authorizations()
        load_before = load_average()
        result = hey_fixed_rate(
            targets,
            courses,
            per_connection_rps=plan.latency_rate_per_connection,
            duration_s=plan.latency_seconds,
            workdir=backend.workdir,
        )
        committed = backend.count_authorizations() - rows_before
        # A connection error leaves no CSV row; the committed count shows it.
        record = result.as_dict() | {
            "committed": committed,
            "load_before": load_before,
            "offered_rps": plan.latency_connections * plan.latency_rate_per_connection,
        }
        log(
            f"  run {run + 1}: {result.achieved_rps:.0f} req/s, p50 {result.p50_ms:.1f} ms, "
            f"p99 {result.p99_ms:.1f} ms, max {result.max_ms:.0f} ms, errors {result.errors}, "
            f"committed {committed}"
        )
        runs.append(record)
    return {
        "runs": runs,
        "p99_ms": _spread([r["p99_ms"] for r in runs]),
        "p50_ms": _spread([r["p50_ms"] for r in runs]),
        "max_ms": max(r["max_ms"] for r in runs),
        "errors": sum(r["errors"] for r in runs),
        "achieved_rps": _spread([r["achieved_rps"] for r in runs]),
    }


def measure_storm(backend: Backend, targets: Targets, plan: Plan) -> dict[str, Any]:
    before = backend.count_authorizations()
    load_before = load_average()
    result, seconds = wrk_storm(
        targets,
        threads=2,
        connections=plan.storm_connections,
        decisions=plan.storm_decisions,
        committed=backend.count_authorizations,
        cap_s=max(600, plan.storm_decisions // 25),
    )
    after = backend.count_authorizations()
    detail = result.detail
    storm = {
        "requested": plan.storm_decisions,
        "sent_by_wrk": detail["decisions_sent"],
        "answered_2xx": detail["decisions_2xx"],
        "errors": result.errors,
        "committed": after - before,
        "seconds": seconds,
        "decisions_per_second": (after - before) / seconds if seconds > 0 else 0.0,
        "p50_ms": detail["p50_us"] / 1000,
        "p99_ms": detail["p99_us"] / 1000,
        "max_ms": detail["max_us"] / 1000,
        "command": result.command,
        "load_before": load_before,
    }
    log(
        f"  storm: {storm['answered_2xx']} answered, {storm['committed']} committed, "
        f"errors {storm['errors']}, {storm['decisions_per_second']:.0f}/s"
    )
    return storm


def run_backend(backend: Backend, plan: Plan, keep: bool) -> dict[str, Any]:
    log(f"=== {backend.name}: {backend.url}")
    backend.create_empty()
    result: dict[str, Any] = {"backend": backend.name, "url": backend.url}
    try:
        result["seed"] = seed_database(backend, plan)
        result["settings"] = backend.server_settings()
        result["access"] = measure_access(backend, plan)
        token = (backend.workdir / "token.txt").read_text().strip()
        due = [
            (line.split()[0], line.split()[1])
            for line in (backend.workdir / "targets.txt").read_text().splitlines()
        ]
        server = Server(backend.url, backend.workdir, "serve", None, workers=2, ready_s=90)
        result["code_commit"] = describe_machine()["git_commit"][:12] + (
            " + uncommitted changes" if describe_machine()["git_dirty"] else ""
        )
        result["serve_command"] = " ".join(server.command[1:]).replace(str(server.port), "$PORT")
        try:
            targets = Targets(server.base_url, backend.workdir / "targets.txt", token)
            log("warm-up (5 s, not recorded)")
            wrk_dispense(targets, threads=1, connections=32, duration_s=5, seed=1000)
            log("B1 throughput: decisions vs /healthz")
            result["throughput"] = measure_throughput(targets, plan)
            log("B1 latency at a fixed rate")
            result["latency"] = measure_latency(backend, targets, plan, due)
            log(f"B1 storm: {plan.storm_decisions} decisions, {plan.storm_connections} conns")
            result["storm"] = measure_storm(backend, targets, plan)
        finally:
            server.stop()
    finally:
        if not keep:
            backend.remove()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small seed, short runs")
    parser.add_argument("--backends", default="sqlite,postgres", help="comma-separated")
    parser.add_argument("--workdir", type=Path, default=Path("/var/tmp/isotrack-bench"))
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    parser.add_argument("--patients", type=int, help="override the plan's patient count")
    args = parser.parse_args()
    plan = QUICK if args.quick else FULL
    if args.patients:
        plan = Plan(**(asdict(plan) | {"patients": args.patients}))
    machine = describe_machine()
    RESULTS_DIR.mkdir(exist_ok=True)
    makers = {"sqlite": sqlite_backend, "postgres": postgres_backend}
    for name in args.backends.split(","):
        backend = makers[name](args.workdir)
        started = dt.datetime.now(dt.UTC)
        result = run_backend(backend, plan, args.keep)
        result |= {
            "quick": args.quick,
            "plan": asdict(plan),
            "machine": machine,
            "started_at": started.isoformat(timespec="seconds"),
            "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "runner": "bench/dispense.py" + (" --quick" if args.quick else ""),
        }
        suffix = "-quick" if args.quick else ""
        (RESULTS_DIR / f"{name}{suffix}.json").write_text(json.dumps(result, indent=1) + "\n")
        log(f"wrote {RESULTS_DIR / f'{name}{suffix}.json'}")


if __name__ == "__main__":
    main()
