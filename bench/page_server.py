"""``isotrack serve`` as a child process and the client side of the page benchmarks
(``today_page.py``, ``pharmacy_queue.py``): sign in, time pages one at a time, summarise, and
run an earlier commit's code against a copy of the store taken back to its schema."""

from __future__ import annotations

import io
import os
import signal
import sqlite3
import statistics
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import httpx
from loadtools import free_port

from isotrack.store.database import downgrade_schema, open_database

REPO = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


class Server:
    """``isotrack serve`` as a child process in its own session, stopped by its PID (the page
    benches and the dispense bench)."""

    def __init__(
        self,
        url: str,
        workdir: Path,
        name: str,
        pythonpath: str | None,
        *,
        workers: int = 1,
        ready_s: float = 600,
    ) -> None:
        self.port = free_port()
        self.command = [
            str(VENV_BIN / "isotrack"), "serve", "--workers", str(workers),
            "--host", "127.0.0.1", "--port", str(self.port),
        ]  # fmt: skip
        env = os.environ | {
            "ISOTRACK_DATABASE_URL": url,
            "ISOTRACK_SECRET_KEY": "bench-secret-key-not-for-production",
        }
        if pythonpath:
            env["PYTHONPATH"] = pythonpath
        self.log_path = workdir / f"{name}.log"
        self._log = self.log_path.open("w")
        self.process = subprocess.Popen(
            self.command,
            cwd=workdir,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.base_url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + ready_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log_path.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"server not ready after {ready_s:g} s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self._log.close()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def summary(seconds: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in seconds]
    return {
        "requests": len(ms),
        "p50_ms": statistics.median(ms),
        "p95_ms": percentile(ms, 0.95),
        "max_ms": max(ms),
    }


def timed(client: httpx.Client, paths: list[str], check: str) -> list[float]:
    took = []
    for path in paths:
        started = time.perf_counter()
        answer = client.get(path)
        took.append(time.perf_counter() - started)
        if answer.status_code != 200 or check not in answer.text:
            raise RuntimeError(f"{path}: {answer.status_code} {answer.text[:300]}")
    return took


def signed_in(base_url: str, timeout_s: float, username: str, password: str) -> httpx.Client:
    """A keep-alive client signed in to the web pages as ``username``."""
    client = httpx.Client(base_url=base_url, timeout=timeout_s, follow_redirects=True)
    page = client.post("/signin", data={"username": username, "password": password, "next": ""})
    if page.status_code != 200:
        raise RuntimeError(f"sign-in failed: {page.status_code} {page.text[:300]}")
    return client


def baseline_source(ref: str, workdir: Path) -> Path:
    target = workdir / f"src-{ref}"
    if not target.exists():
        archive = subprocess.run(
            ["git", "-C", str(REPO), "archive", ref, "src"], check=True, capture_output=True
        ).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(target, filter="data")
    return target / "src"


def baseline_store(store: Path, copy: Path, revision: str) -> str:
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
