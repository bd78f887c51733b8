"""Running wrk and hey against the local service and reading their results.

All traffic goes to 127.0.0.1; every run has a bounded duration.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
DISPENSE_LUA = BENCH_DIR / "dispense.lua"


@dataclass(frozen=True)
class Targets:
    base_url: str  # http://127.0.0.1:PORT
    targets_file: Path
    token: str


def _run(command: list[str], env: dict[str, str] | None = None, timeout: float = 3600) -> str:
    print("  $ " + shlex.join(command), file=sys.stderr, flush=True)
    done = subprocess.run(
        command,
        env=(os.environ | env) if env else None,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{command[0]} failed ({done.returncode}): {done.stderr[-2000:]}")
    return done.stdout


def command_line(command: list[str], env: dict[str, str] | None = None, token: str = "") -> str:
    """The command as it would be typed, with the bearer token shown as ``$TOKEN``."""
    shown = " ".join(f"{k}={shlex.quote(v)}" for k, v in (env or {}).items())
    text = (shown + " " if shown else "") + shlex.join(command)
    return text.replace(token, "$TOKEN") if token else text


def _requests_per_second(output: str) -> float:
    found = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if found is None:
        raise RuntimeError(f"no Requests/sec in wrk output:\n{output}")
    return float(found.group(1))


def _wrk_errors(output: str) -> int:
    errors = 0
    socket = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    if socket:
        errors += sum(int(n) for n in socket.groups())
    status = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if status:
        errors += int(status.group(1))
    return errors


@dataclass(frozen=True)
class WrkResult:
    command: str
    requests_per_second: float
    errors: int
    detail: dict[str, Any]


def wrk_dispense(
    targets: Targets,
    *,
    threads: int,
    connections: int,
    duration_s: int,
    limit_per_thread: int = 0,
    timeout_s: int = 2,
    seed: int = 1,
) -> WrkResult:
    """Closed loop on POST /api/v1/courses/{id}/dispense-decisions with random courses."""
    env = {
        "BENCH_TARGETS": str(targets.targets_file),
        "BENCH_TOKEN": targets.token,
        "BENCH_LIMIT": str(limit_per_thread),
        "BENCH_SEED": str(seed),
    }
    command = [
        "wrk", f"-t{threads}", f"-c{connections}", f"-d{duration_s}s", f"--timeout={timeout_s}s",
        "-s", str(DISPENSE_LUA), targets.base_url,
    ]  # fmt: skip
    output = _run(command, env, timeout=duration_s + 120)
    line = next(ln for ln in output.splitlines() if ln.startswith("BENCH_RESULT "))
    detail: dict[str, Any] = json.loads(line.removeprefix("BENCH_RESULT "))
    seconds = detail["duration_us"] / 1e6
    return WrkResult(
        command=command_line(command, env, targets.token),
        requests_per_second=detail["decisions_2xx"] / seconds,
        errors=_wrk_errors(output) + detail["decisions_failed"],
        detail=detail,
    )


def wrk_storm(
    targets: Targets,
    *,
    threads: int,
    connections: int,
    decisions: int,
    committed: Callable[[], int],
    cap_s: int,
    stall_s: int = 60,
) -> tuple[WrkResult, float]:
    """Exactly ``decisions`` decision requests (``decisions / threads`` per wrk thread).

    wrk has no request-count option: the Lua script sends only ``/healthz`` once a thread has
    sent its share, and this function interrupts wrk (SIGINT, after which wrk prints its
    summary) as soon as ``committed()`` has grown by ``decisions``, or when it has not grown
    for ``stall_s`` seconds, or after ``cap_s``. Returns the result and the seconds from start
    until the last commit was seen.
    """
    per_thread = decisions // threads
    env = {
        "BENCH_TARGETS": str(targets.targets_file),
        "BENCH_TOKEN": targets.token,
        "BENCH_LIMIT": str(per_thread),
        "BENCH_SEED": "99",
    }
    command = [
        "wrk", f"-t{threads}", f"-c{connections}", f"-d{cap_s}s", "--timeout=60s",
        "-s", str(DISPENSE_LUA), targets.base_url,
    ]  # fmt: skip
    print("  $ " + command_line(command, env, targets.token), file=sys.stderr, flush=True)
    before = committed()
    started = time.monotonic()
    process = subprocess.Popen(
        command, env=os.environ | env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    last_count, last_change = before, started
    while process.poll() is None:
        time.sleep(1)
        count = committed()
        now = time.monotonic()
        if count != last_count:
            last_count, last_change = count, now
        if count - before >= per_thread * threads or now - last_change > stall_s:
            time.sleep(1)  # let the last answers reach wrk before it prints its summary
            process.send_signal(signal.SIGINT)
            break
    output, errors = process.communicate(timeout=60)
    line = next((ln for ln in output.splitlines() if ln.startswith("BENCH_RESULT ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result: {errors[-2000:]}")
    detail: dict[str, Any] = json.loads(line.removeprefix("BENCH_RESULT "))
    seconds = last_change - started
    return (
        WrkResult(
            command=command_line(command, env, targets.token),
            requests_per_second=detail["decisions_2xx"] / seconds if seconds > 0 else 0.0,
            errors=_wrk_errors(output) + detail["decisions_failed"],
            detail=detail,
        ),
        seconds,
    )


def wrk_health(targets: Targets, *, threads: int, connections: int, duration_s: int) -> WrkResult:
    """Closed loop on GET /healthz: the framework's ceiling on this server."""
    command = [
        "wrk", f"-t{threads}", f"-c{connections}", f"-d{duration_s}s",
        f"{targets.base_url}/healthz",
    ]  # fmt: skip
    output = _run(command, timeout=duration_s + 120)
    return WrkResult(
        command=command_line(command),
        requests_per_second=_requests_per_second(output),
        errors=_wrk_errors(output),
        detail={},
    )


@dataclass(frozen=True)
class LatencyResult:
    commands: list[str]
    requests: int
    ok_2xx: int
    errors: int
    achieved_rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    p999_ms: float
    max_ms: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


def hey_fixed_rate(
    targets: Targets,
    courses: list[tuple[str, str]],
    *,
    per_connection_rps: int,
    duration_s: int,
    workdir: Path,
) -> LatencyResult:
    """One ``hey -c 1 -q RATE`` per course, all at once: ``len(courses)`` connections.

    hey sends one fixed request, so each connection gets its own course; together they offer
    ``len(courses) * per_connection_rps`` requests per second. Latencies of every request come
    from hey's CSV output and are merged before taking percentiles.
    """
    commands: list[list[str]] = []
    for course_id, prescription_id in courses:
        commands.append(
            [
                "hey",
                "-z",
                f"{duration_s}s",
                "-c",
                "1",
                "-q",
                str(per_connection_rps),
                "-m",
                "POST",
                "-T",
                "application/json",
                "-H",
                f"Authorization: Bearer {targets.token}",
                "-d",
                json.dumps({"prescription_id": prescription_id}),
                "-o",
                "csv",
                f"{targets.base_url}/api/v1/courses/{course_id}/dispense-decisions",
            ]
        )
    print(f"  $ {len(commands)} x {shlex.join(commands[0][:7])} ...", file=sys.stderr, flush=True)

    def run_one(command: list[str]) -> str:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=duration_s + 120, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(f"hey failed: {done.stderr[-2000:]}")
        return done.stdout

    with ThreadPoolExecutor(max_workers=len(commands)) as pool:
        outputs = list(pool.map(run_one, commands))
    latencies: list[float] = []
    ok = 0
    rows = 0
    for index, output in enumerate(outputs):
        (workdir / f"hey-{index:02d}.csv").write_text(output)
        for row in csv.DictReader(output.splitlines()):
            rows += 1
            latencies.append(float(row["response-time"]) * 1000)
            if row["status-code"].startswith("2"):
                ok += 1
    latencies.sort()
    shown = (
        command_line(commands[0], token=targets.token)
        .replace(courses[0][0], "$COURSE")
        .replace(courses[0][1], "$RX")
    )
    return LatencyResult(
        commands=[f"{len(commands)} at once, each on its own course: {shown}"],
        requests=rows,
        ok_2xx=ok,
        errors=rows - ok,
        achieved_rps=rows / duration_s,
        p50_ms=_percentile(latencies, 0.50),
        p90_ms=_percentile(latencies, 0.90),
        p99_ms=_percentile(latencies, 0.99),
        p999_ms=_percentile(latencies, 0.999),
        max_ms=latencies[-1] if latencies else math.nan,
    )


def log(message: str) -> None:
    """A progress line on stderr, stamped with the UTC time."""
    print(f"[{dt.datetime.now(dt.UTC):%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
