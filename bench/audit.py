"""Population-audit benchmark (issue 14): courses/s end to end, peak RSS, parallel efficiency.

Writes a synthetic population (``isotrack synth``; kept in ``--work`` for the next run),
converts it to Parquet, measures two single-process baselines on a sample in this process
(``evaluate --batch``'s full assessment per line, and the audit rules alone), then runs
``isotrack audit --out`` as a separate process for each runner and source, sampling the RSS of
its whole process tree (pool workers, Spark's JVM and Python workers included) and the load
average before and after.

    .venv/bin/python bench/audit.py --courses 200            # a few minutes on 2 cores
    .venv/bin/python bench/audit.py --courses 20000 --work /tmp/audit-20k \
        --runs duckdb-parquet,spark-parquet
"""

from __future__ import annotations

import argparse
import ctypes
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from machine import describe_machine

from isotrack.audit.batch import BatchJob, audit_lines, knowledge
from isotrack.audit.readers import NdjsonTimelines, convert_to_parquet
from isotrack.audit.synth import AUDIT_DATE
from isotrack.audit.synth_files import write_population

ISOTRACK = str(Path(sys.executable).with_name("isotrack"))
RUNS = ("duckdb-parquet", "duckdb-ndjson", "duckdb-fhir", "spark-parquet", "spark-fhir")
SOURCE_OPTIONS = {"parquet": "--parquet", "ndjson": "--timelines", "fhir": "--fhir-bulk"}


# kcmp(2)'s number and its KCMP_VM type: do two processes share one address space?
_KCMP = {"x86_64": 312, "aarch64": 272}.get(os.uname().machine)
_KCMP_VM = 1


def _shares_memory(pid: int, parent: int) -> bool:
    """True for a child that runs in its parent's address space: the JVM starts a shell
    command (Hadoop's file permissions, on every task commit) with ``posix_spawn``, whose child
    shares the JVM's memory until it execs, and /proc shows it holding the JVM's whole RSS for
    that instant. Counted, it doubles the JVM in one sample (seen: 2 880 MiB once in a 1 M run
    whose every other minute stayed under 1 840 MiB)."""
    if _KCMP is None:
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    return bool(libc.syscall(_KCMP, pid, parent, _KCMP_VM, 0, 0) == 0)


def _tree(pid: int) -> tuple[dict[int, tuple[int, int]], int]:
    """Resident bytes and CPU clock ticks so far (user + system) of ``pid`` and each of its
    descendants, from /proc; and the largest RSS of a child that shared its parent's memory,
    which is not counted again (its bytes are the parent's)."""
    seen: dict[int, tuple[int, int]] = {}
    shared = 0
    stack = [(pid, 0)]
    while stack:
        current, parent = stack.pop()
        try:
            rss = 0
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1]) * 1024
            fields = Path(f"/proc/{current}/stat").read_text().rpartition(")")[2].split()
            if parent and _shares_memory(current, parent):
                shared, rss = max(shared, rss), 0
            seen[current] = (rss, int(fields[11]) + int(fields[12]))
            for task in Path(f"/proc/{current}/task").iterdir():
                stack.extend((int(c), current) for c in (task / "children").read_text().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return seen, shared


def _role(pid: int, root: int) -> str:
    """What a process of ``root``'s tree is, for the peak's breakdown: the ``isotrack audit``
    driver itself, the JVM, a PySpark daemon or worker, or a DuckDB engine process."""
    if pid == root:
        return "audit driver"
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except (FileNotFoundError, ProcessLookupError):
        return "gone"
    text = b" ".join(argv).decode(errors="replace")
    if "java" in argv[0].decode(errors="replace"):
        return "jvm"
    if "pyspark.daemon" in text or "pyspark.worker" in text:
        return "pyspark worker"
    if "multiprocessing.spawn" in text:  # the DuckDB runner's pool spawns its engines
        return "engine process"
    return Path(argv[0].decode(errors="replace")).name or "other"


def _uptime() -> str:
    """``uptime`` as printed (the machine is shared: the load is part of every figure)."""
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


@dataclass
class Measured:
    """One run's process tree: wall and CPU seconds, exit code, the peak resident size with
    what each role held at that moment, and the tree's largest size in each minute."""

    seconds: float = 0.0
    cpu_seconds: float = 0.0
    exit_code: int = 0
    peak: int = 0
    peak_at_s: float = 0.0
    peak_by_role: dict[str, int] = field(default_factory=dict)
    per_minute: list[int] = field(default_factory=list)
    # Samples that caught a child in its parent's address space, and its largest RSS then.
    shared_samples: int = 0
    shared_peak: int = 0


def _measure(command: list[str], errors: Path) -> Measured:
    """Sample ``command``'s tree every 0.25 s (each process's last CPU sample counts: on a
    shared machine, courses per CPU second show the runner's own cost where courses per wall
    second show the load). Its standard error is kept in ``errors``, to say why a run failed."""
    started = time.perf_counter()
    with errors.open("wb") as kept:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=kept)
    measured = Measured()
    ticks: dict[int, int] = {}
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            seen, shared = _tree(process.pid)
            if shared:
                measured.shared_samples += 1
                measured.shared_peak = max(measured.shared_peak, shared)
            total = sum(rss for rss, _ in seen.values())
            elapsed = time.perf_counter() - started
            minute = int(elapsed // 60)
            measured.per_minute.extend([0] * (minute + 1 - len(measured.per_minute)))
            measured.per_minute[minute] = max(measured.per_minute[minute], total)
            if total > measured.peak:
                measured.peak, measured.peak_at_s = total, elapsed
                measured.peak_by_role = {}
                for pid, (rss, _) in seen.items():
                    role = _role(pid, process.pid)
                    measured.peak_by_role[role] = measured.peak_by_role.get(role, 0) + rss
            ticks.update({pid: used for pid, (_, used) in seen.items()})
            done.wait(0.25)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    process.communicate()
    done.set()
    sampler.join()
    measured.cpu_seconds = sum(ticks.values()) / os.sysconf("SC_CLK_TCK")
    measured.seconds = time.perf_counter() - started
    measured.exit_code = process.returncode
    return measured


def baseline_rates(ndjson: Path, sample: int) -> dict[str, float]:
    """Courses/s in this one process on the first ``sample`` courses: ``evaluate --batch``
    (the full assessment of each line) and the audit rules alone (no SQL, no pool), per wall
    second and per CPU second."""
    from isotrack.cli.batch_evaluation import assessment_lines

    job = BatchJob(audit_date=AUDIT_DATE, pseudonym_key=b"bench")
    lines = next(NdjsonTimelines(ndjson).batches(sample))
    audit_lines(lines[:2], job)  # warm: knowledge loaded, policies derived
    wall, cpu = time.perf_counter(), time.process_time()
    audit_lines(lines, job)
    rates = {
        "audit_rules": len(lines) / (time.perf_counter() - wall),
        "audit_rules_cpu": len(lines) / (time.process_time() - cpu),
    }
    raw = [line.encode() for line in lines]
    wall, cpu = time.perf_counter(), time.process_time()
    evaluated = sum(ok for _, ok in assessment_lines(knowledge(), raw, AUDIT_DATE))
    rates["evaluate_batch"] = evaluated / (time.perf_counter() - wall)
    rates["evaluate_batch_cpu"] = evaluated / (time.process_time() - cpu)
    return rates


def fhir_baseline_rate(sample: int) -> float:
    """Courses/s in this one process from FHIR Bulk: the first ``sample`` courses of the
    population (the same seed) written as a Bulk export of their own, grouped by the reader,
    then each patient's line mapped to a timeline and audited: the work a FHIR run's cores
    share, where ``evaluate --batch`` starts at the timeline. (The run's own export is not
    used: its grouping sorts the whole export before the first patient comes out.)"""
    from isotrack.audit.fhir_source import FhirBulkTimelines

    with tempfile.TemporaryDirectory(prefix="fhir-baseline-") as folder:
        write_population(sample, 1, "fhir-ndjson", Path(folder))
        lines = [line for batch in FhirBulkTimelines(Path(folder) / "fhir").batches(sample)
                 for line in batch]  # fmt: skip
    job = BatchJob(audit_date=AUDIT_DATE, pseudonym_key=b"bench")
    audit_lines(lines[:2], job)
    started = time.perf_counter()
    audit_lines(lines, job)
    return len(lines) / (time.perf_counter() - started)


def _population(work: Path, courses: int, fhir: bool) -> Path:
    """The population in ``work`` (written once per size and seed, then reused)."""
    ndjson = work / "timelines.ndjson"
    if not ndjson.is_file():
        write_population(courses, 1, "timeline-ndjson", work)
    if not (work / "parquet").is_dir():
        convert_to_parquet(NdjsonTimelines(ndjson), work / "parquet")
    if fhir and not (work / "fhir").is_dir():
        write_population(courses, 1, "fhir-ndjson", work)  # the same courses as FHIR Bulk
    return ndjson


def _command(run: str, paths: dict[str, Path], out: Path, cores: int, batch: int) -> list[str]:
    engine, fmt = run.split("-")
    command = [ISOTRACK, "audit", SOURCE_OPTIONS[fmt], str(paths[fmt]), "--engine", engine]
    command += ["--as-of", AUDIT_DATE.isoformat(), "--out", str(out), "--batch-size", str(batch)]
    if engine == "duckdb":
        return [*command, "--workers", str(cores)]
    return [*command, "--master", f"local[{cores}]"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--courses", type=int, default=200)
    parser.add_argument("--baseline-sample", type=int, default=200)
    parser.add_argument("--runs", default=",".join(RUNS))
    parser.add_argument("--cores", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--work", type=Path, default=None, help="population folder, reused")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="audit-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    runs = args.runs.split(",")
    ndjson = _population(work, args.courses, any(r.endswith("-fhir") for r in runs))
    baseline = baseline_rates(ndjson, args.baseline_sample)
    evaluate_rate, audit_rate = baseline["evaluate_batch"], baseline["audit_rules"]
    results: dict[str, Any] = {
        "benchmark": "audit",
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": describe_machine(),
        "courses": args.courses,
        "ndjson_bytes": ndjson.stat().st_size,
        "baseline_evaluate_batch_courses_per_s": round(evaluate_rate, 2),
        "baseline_audit_rules_courses_per_s": round(audit_rate, 2),
        "baseline_evaluate_batch_courses_per_cpu_s": round(baseline["evaluate_batch_cpu"], 2),
        "baseline_audit_rules_courses_per_cpu_s": round(baseline["audit_rules_cpu"], 2),
        "cores": args.cores,
        "runs": {},
    }
    fhir_rate = None
    if any(r.endswith("-fhir") for r in runs):
        fhir_rate = fhir_baseline_rate(args.baseline_sample)
        results["baseline_fhir_audit_courses_per_s"] = round(fhir_rate, 2)
    print({k: v for k, v in results.items() if k.startswith("baseline")}, flush=True)
    paths = {"parquet": work / "parquet", "ndjson": ndjson, "fhir": work / "fhir"}
    for run in runs:
        load_before, uptime_before = os.getloadavg()[0], _uptime()
        out = work / f"out-{run}"
        errors = work / f"out-{run}.stderr.txt"
        measured = _measure(_command(run, paths, out, args.cores, args.batch_size), errors)
        code, seconds, cpu = measured.exit_code, measured.seconds, measured.cpu_seconds
        audited = json.loads((out / "summary.json").read_text()) if code in (0, 3) else {}
        rate = args.courses / seconds
        results["runs"][run] = {
            "exit_code": code,
            "courses_audited": audited.get("courses"),
            "findings": audited.get("findings"),
            "unreadable": audited.get("unreadable_courses"),
            "seconds": round(seconds, 1),
            "courses_per_s": round(rate, 2),
            "peak_rss_mib": round(measured.peak / 2**20, 1),
            "peak_at_s": round(measured.peak_at_s, 1),
            "peak_rss_mib_by_role": {
                role: round(rss / 2**20, 1) for role, rss in sorted(measured.peak_by_role.items())
            },
            "rss_mib_per_minute": [round(rss / 2**20) for rss in measured.per_minute],
            "samples_with_a_child_in_its_parents_memory": measured.shared_samples,
            "largest_such_child_rss_mib_not_counted": round(measured.shared_peak / 2**20, 1),
            "efficiency_vs_evaluate_batch": round(rate / (evaluate_rate * args.cores), 3),
            "efficiency_vs_audit_rules": round(rate / (audit_rate * args.cores), 3),
            "efficiency_vs_fhir_audit": (
                round(rate / (fhir_rate * args.cores), 3)
                if fhir_rate and run.endswith("-fhir")
                else None
            ),
            "cpu_seconds": round(cpu, 1),
            "courses_per_cpu_s": round(args.courses / cpu, 2),
            "cpu_efficiency_vs_audit_rules": round(
                args.courses / cpu / baseline["audit_rules_cpu"], 3
            ),
            "load_average_1min": [round(load_before, 1), round(os.getloadavg()[0], 1)],
            "uptime": [uptime_before, _uptime()],
        }
        print(run, results["runs"][run], flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    target = args.out / f"audit-{results['date'][:19].replace(':', '')}.json"
    target.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps({k: v for k, v in results.items() if k != "machine"}, indent=2))
    print(f"written to {target}")


if __name__ == "__main__":
    main()
