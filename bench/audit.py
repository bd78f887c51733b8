"""Population-audit benchmark (issue 14): courses/s end to end, peak RSS, parallel efficiency.

Writes a synthetic population (``isotrack synth``), converts it to Parquet, measures the
single-process engine rate on a sample (the baseline), then runs ``isotrack audit`` as a
separate process for each runner and source, sampling the RSS of its whole process tree (pool
workers, Spark's JVM and Python workers included).

    .venv/bin/python bench/audit.py --courses 200            # a few minutes on 2 cores
    .venv/bin/python bench/audit.py --courses 200 --runs duckdb-parquet,spark-parquet
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from machine import describe_machine

from isotrack.audit.batch import BatchJob, audit_lines
from isotrack.audit.readers import NdjsonTimelines, convert_to_parquet
from isotrack.audit.synth import AUDIT_DATE
from isotrack.audit.synth_files import write_population

ISOTRACK = str(Path(sys.executable).with_name("isotrack"))
RUNS = ("duckdb-parquet", "duckdb-ndjson", "duckdb-fhir", "spark-parquet", "spark-ndjson")
SOURCE_OPTIONS = {"parquet": "--parquet", "ndjson": "--timelines", "fhir": "--fhir-bulk"}


def _tree_rss_bytes(pid: int) -> int:
    """Resident memory of ``pid`` and every descendant, from /proc."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
            for task in Path(f"/proc/{current}/task").iterdir():
                stack.extend(int(c) for c in (task / "children").read_text().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def _measure(command: list[str]) -> tuple[float, int, int]:
    """Wall seconds, peak tree RSS and exit code of ``command``."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss_bytes(process.pid))
            done.wait(0.25)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    process.communicate()
    done.set()
    sampler.join()
    return time.perf_counter() - started, peak, process.returncode


def baseline_rate(ndjson: Path, sample: int) -> float:
    """Courses/s of the audit rules in this one process (engine only, no SQL, no pool)."""
    job = BatchJob(audit_date=AUDIT_DATE, pseudonym_key=b"bench")
    lines = next(NdjsonTimelines(ndjson).batches(sample))
    audit_lines(lines[:2], job)  # warm: knowledge loaded, policies derived
    started = time.perf_counter()
    audit_lines(lines, job)
    return len(lines) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--courses", type=int, default=200)
    parser.add_argument("--baseline-sample", type=int, default=40)
    parser.add_argument("--runs", default=",".join(RUNS))
    parser.add_argument("--cores", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="audit-bench-"))
    write_population(args.courses, 1, "timeline-ndjson", work)
    if any(run.endswith("-fhir") for run in args.runs.split(",")):
        write_population(args.courses, 1, "fhir-ndjson", work)  # the same courses as FHIR Bulk
    ndjson = work / "timelines.ndjson"
    convert_to_parquet(NdjsonTimelines(ndjson), work / "parquet")
    base = baseline_rate(ndjson, args.baseline_sample)
    results: dict[str, Any] = {
        "benchmark": "audit",
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": describe_machine(),
        "courses": args.courses,
        "ndjson_bytes": ndjson.stat().st_size,
        "baseline_single_process_courses_per_s": round(base, 2),
        "cores": args.cores,
        "runs": {},
    }
    for run in args.runs.split(","):
        engine, fmt = run.split("-")
        paths = {"parquet": work / "parquet", "ndjson": ndjson, "fhir": work / "fhir"}
        source = [SOURCE_OPTIONS[fmt], str(paths[fmt])]
        command = [
            ISOTRACK,
            "audit",
            *source,
            "--engine",
            engine,
            "--as-of",
            AUDIT_DATE.isoformat(),
            "--json",
        ]
        command += (
            ["--workers", str(args.cores)]
            if engine == "duckdb"
            else ["--master", f"local[{args.cores}]"]
        )
        seconds, peak, code = _measure(command)
        rate = args.courses / seconds
        results["runs"][run] = {
            "exit_code": code,
            "seconds": round(seconds, 1),
            "courses_per_s": round(rate, 2),
            "peak_rss_mib": round(peak / 2**20, 1),
            "parallel_efficiency": round(rate / (base * args.cores), 3),
        }
        print(run, results["runs"][run], flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    target = args.out / f"audit-{results['date'][:19].replace(':', '')}.json"
    target.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps({k: v for k, v in results.items() if k != "machine"}, indent=2))
    print(f"written to {target}")


if __name__ == "__main__":
    main()
