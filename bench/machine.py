"""What the figures were measured on: hardware, operating system, versions, load."""

from __future__ import annotations

import importlib.metadata
import os
import platform
import sqlite3
import subprocess
from pathlib import Path
from typing import Any


def _first_line(command: list[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=10, check=False)
    except OSError:
        return "not installed"
    text = (done.stdout or done.stderr).strip()
    return text.splitlines()[0] if text else "unknown"


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _memory_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return round(int(line.split()[1]) / 1024 / 1024, 1)
    return 0.0


def _os_name() -> str:
    for line in Path("/etc/os-release").read_text().splitlines():
        if line.startswith("PRETTY_NAME="):
            return line.split("=", 1)[1].strip('"')
    return platform.platform()


def load_average() -> tuple[float, float, float]:
    return os.getloadavg()


def describe_machine() -> dict[str, Any]:
    """nproc, CPU, memory, OS and the versions of everything on the request path."""
    versions = {
        name: importlib.metadata.version(name)
        for name in ("fastapi", "starlette", "uvicorn", "sqlalchemy", "psycopg", "pydantic")
    }
    versions["python"] = platform.python_version()
    versions["sqlite"] = sqlite3.sqlite_version
    versions["wrk"] = _first_line(["wrk", "--version"]).split(" [")[0]
    versions["hey"] = _first_line(["dpkg-query", "-W", "-f", "${Version}", "hey"])
    for extra in ("uvloop", "httptools"):
        try:
            versions[extra] = importlib.metadata.version(extra)
        except importlib.metadata.PackageNotFoundError:
            versions[extra] = "not installed"
    return {
        "nproc": os.cpu_count(),
        "cpu": _cpu_model(),
        "memory_gib": _memory_gib(),
        "os": _os_name(),
        "kernel": platform.release(),
        "versions": versions,
        "git_commit": _first_line(["git", "-C", str(Path(__file__).parent), "rev-parse", "HEAD"]),
        # The benchmark's own results (written by an earlier database's half) do not count.
        "git_dirty": bool(
            _first_line(
                [
                    "git",
                    "-C",
                    str(Path(__file__).parent),
                    "status",
                    "--porcelain",
                    "--",
                    ":/",
                    ":(top,exclude)bench/results",
                ]
            )
            not in ("", "unknown")
        ),
    }
