"""Engine speed in one process: courses per second per engine, beside plain JSON work.

Generates N six-month courses (``bench/courses.py``, deterministic), serialises them as NDJSON,
and measures on one core:

- timeline loading (``load_timeline`` from the JSON text of each document);
- programme evaluation, monitoring, dose progress and the schedule, each alone, on loaded
  timelines;
- the full assessment (``assess``), and the assessment serialised as ``evaluate --json`` does;
- ``isotrack evaluate --batch FILE --as-of DATE`` end to end, as a child process writing to
  /dev/null (process start and knowledge loading included);

and, in the same run, ``json.loads`` + ``json.dumps`` of the same documents: the yardstick the
figures are divided by (a stage at ratio 10 costs ten times what parsing and writing the
document back costs). Each stage is timed over every course in CPU time (``process_time``; the
child's user + system time for the batch), repeated ``--rounds`` times, and the best round is
reported: the machine is shared, and CPU time with the best of several rounds is the figure
least disturbed by other work (wall time on a busy machine measures the queue, not the code).

    .venv/bin/python bench/engines.py --courses 1000 --rounds 3 [--json out.json]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from courses import AS_OF, six_month_course

from isotrack.domain.timeline import Timeline, load_timeline
from isotrack.engines.assessment import assess
from isotrack.engines.dose import evaluate_dose
from isotrack.engines.monitoring import evaluate_monitoring
from isotrack.engines.programme import evaluate_programme
from isotrack.engines.schedule import build_schedule
from isotrack.knowledge import Knowledge, load_knowledge

TARGETS = {"loading": 20_000.0, "programme": 20_000.0, "assess": 5_000.0, "batch": 5_000.0}


def _best_rate(
    run: Callable[[Sequence[Timeline]], None], lines: Sequence[bytes], rounds: int
) -> float:
    """Courses per second of the fastest round. Each round gets freshly loaded timelines (not
    timed), so nothing a timeline keeps from one round (its effective events, its snapshots)
    helps the next: in use, a course is loaded and evaluated once."""
    best = float("inf")
    for _ in range(rounds):
        timelines = [load_timeline(line) for line in lines]
        started = time.process_time()
        run(timelines)
        best = min(best, time.process_time() - started)
    return len(lines) / best


def _json_round_trip(lines: Sequence[bytes]) -> None:
    for line in lines:
        json.dumps(json.loads(line))


def _stages(
    knowledge: Knowledge, lines: Sequence[bytes], day: dt.date
) -> dict[str, Callable[[Sequence[Timeline]], None]]:
    def loading(_: Sequence[Timeline]) -> None:
        for line in lines:
            load_timeline(line)

    def each(
        engine: Callable[[Knowledge, Timeline, dt.date], object],
    ) -> Callable[[Sequence[Timeline]], None]:
        def run(timelines: Sequence[Timeline]) -> None:
            for timeline in timelines:
                engine(knowledge, timeline, day)

        return run

    def assess_json(timelines: Sequence[Timeline]) -> None:
        for timeline in timelines:
            payload = assess(knowledge, timeline, day).model_dump(mode="json", by_alias=True)
            json.dumps(payload, ensure_ascii=False, default=str)

    return {
        "loading": loading,
        "programme": each(evaluate_programme),
        "monitoring": each(evaluate_monitoring),
        "dose": each(evaluate_dose),
        "schedule": each(build_schedule),
        "assess": each(assess),
        "assess+json": assess_json,
    }


def _batch_rate(ndjson: Path, count: int, day: dt.date, rounds: int) -> float | None:
    command = [
        str(Path(sys.executable).with_name("isotrack")),
        "evaluate",
        "--batch",
        str(ndjson),
        "--as-of",
        day.isoformat(),
    ]
    best = float("inf")
    for _ in range(rounds):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        elapsed = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        if done.returncode != 0:
            print(
                f"batch failed ({done.returncode}): {done.stderr.decode()[:300]}", file=sys.stderr
            )
            return None
        best = min(best, elapsed)
    return count / best


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--courses", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=20261130)
    parser.add_argument("--only", nargs="*", help="stages to run (default: all)")
    parser.add_argument("--no-batch", action="store_true", help="skip the child-process stage")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    args = parser.parse_args(argv)

    if hasattr(os, "sched_setaffinity"):  # one core, as the targets say
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[-1]})
    documents = [six_month_course(n, seed=args.seed) for n in range(args.courses)]
    lines = [json.dumps(doc).encode() for doc in documents]
    events = sum(len(doc["events"]) for doc in documents)
    knowledge = load_knowledge()
    for line in lines[:20]:  # warm the knowledge base's caches, as a running process has them
        assess(knowledge, load_timeline(line), AS_OF)

    baseline = _best_rate(lambda _: _json_round_trip(lines), lines, args.rounds)
    rates: dict[str, float] = {}
    for name, run in _stages(knowledge, lines, AS_OF).items():
        if args.only and name not in args.only:
            continue
        rates[name] = _best_rate(run, lines, args.rounds)
        print(f"{name:12s} {rates[name]:10,.0f} courses/s  ratio {baseline / rates[name]:7.1f}")
    if not args.no_batch and (not args.only or "batch" in args.only):
        with tempfile.TemporaryDirectory() as work:
            ndjson = Path(work) / "courses.ndjson"
            ndjson.write_bytes(b"\n".join(lines) + b"\n")
            batch = _batch_rate(ndjson, len(lines), AS_OF, args.rounds)
        if batch is not None:
            rates["batch"] = batch
            print(f"{'batch':12s} {batch:10,.0f} courses/s  ratio {baseline / batch:7.1f}")
    print(f"{'json':12s} {baseline:10,.0f} courses/s  (json.loads + json.dumps, the yardstick)")
    result = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cpus",
        "python": platform.python_version(),
        "load_average": os.getloadavg(),
        "courses": args.courses,
        "events_per_course": events / len(documents),
        "ndjson_bytes_per_course": sum(len(line) for line in lines) / len(lines),
        "rounds": args.rounds,
        "json_round_trip_per_s": baseline,
        "per_s": rates,
        "ratio_to_json": {name: baseline / rate for name, rate in rates.items()},
        "targets_per_s": TARGETS,
    }
    if args.json is not None:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return result


if __name__ == "__main__":
    main()
