"""One ``kill -9`` trial against ``isotrack serve`` (used by the test suite and by
``bench/crash_trials.py``).

A fresh demo clinic; the service on 127.0.0.1 at a free port; four clients writing for a
bounded time (a prescriber appending weights, a pharmacist recording dispense decisions);
SIGKILL to the service's whole process group at a random moment; a restart; then every write
that was acknowledged (a 201 received) must be in the database and ``isotrack verify`` must
pass (the same check as ``isotrack verify``). Nothing here talks to anything but 127.0.0.1.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from isotrack_process import ISOTRACK, free_port
from sqlalchemy import create_engine, text

from isotrack.store.chain_key import CHAIN_KEY_FILE_ENV
from isotrack.store.courses import import_timeline
from isotrack.store.database import open_database, upgrade_schema
from isotrack.store.demo_clinic import demo_patients
from isotrack.store.users import Role, create_user
from isotrack.store.verify import verify_all

PASSWORD = "crash-trial-password"


@dataclass
class TrialResult:
    kill_after_seconds: float
    acknowledged_events: list[tuple[str, str]] = field(default_factory=list)  # (course, event)
    acknowledged_codes: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    verify_output: str = ""
    verify_clean: bool = False

    @property
    def acknowledged(self) -> int:
        return len(self.acknowledged_events) + len(self.acknowledged_codes)


def trial_environment(database_url: str, directory: Path) -> dict[str, str]:
    # The service and this process must sign with the same key file.
    os.environ.setdefault(CHAIN_KEY_FILE_ENV, str(directory / "chain-key"))
    env = dict(os.environ)
    env["ISOTRACK_DATABASE_URL"] = database_url
    env["ISOTRACK_PASSWORD_HASH_PROFILE"] = "CHEAPEST"
    return env


def seed_clinic(database_url: str) -> None:
    """The demo clinic's patients, with known passwords (in process: faster than the CLI)."""
    database = open_database(database_url)
    try:
        upgrade_schema(database)
        today = dt.date.today()
        with database.writing() as connection:
            users = {
                name: create_user(connection, username=name, password=PASSWORD, role=role)
                for name, role in (
                    ("dr.lee", Role.PRESCRIBER),
                    ("dr.patel", Role.PRESCRIBER),
                    ("pharmacist", Role.PHARMACIST),
                )
            }
            for patient in demo_patients(today):
                import_timeline(
                    connection,
                    patient.timeline,
                    recorded_by=patient.prescriber,
                    prescriber_user_id=users[patient.prescriber].id,
                    display_name=patient.display_name,
                )
    finally:
        database.dispose()


def _start(env: dict[str, str], directory: Path, port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [str(ISOTRACK), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
        env=env,
        cwd=directory,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: the kill reaches every worker
    )


def _wait_ready(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"isotrack serve exited with {server.returncode}")
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError("isotrack serve was not ready within 90 s")


def _token(http: httpx.Client, username: str, password: str) -> dict[str, str]:
    answer = http.post("/api/v1/auth/token", json={"username": username, "password": password})
    answer.raise_for_status()
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def _writer(
    base: str,
    headers: dict[str, str],
    send: list[tuple[str, str, dict[str, object]]],
    result: TrialResult,
    lock: threading.Lock,
    stop: threading.Event,
) -> None:
    with httpx.Client(base_url=base, timeout=10, headers=headers) as http:
        for kind, path, body in send:
            if stop.is_set():
                return
            try:
                answer = http.post(path, json=body)
            except httpx.TransportError:
                return  # the service is gone: nothing from here on was acknowledged
            if answer.status_code != 201:
                continue
            with lock:
                if kind == "event":
                    result.acknowledged_events.append((path.split("/")[4], str(body["id"])))
                else:
                    result.acknowledged_codes.append(answer.json()["authorization_code"])


def run_trial(database_url: str, directory: Path, rng: random.Random) -> TrialResult:
    env = trial_environment(database_url, directory)
    seed_clinic(database_url)
    result = TrialResult(kill_after_seconds=rng.uniform(0.0, 2.0))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = _start(env, directory, port)
    try:
        _wait_ready(base, server)
        with httpx.Client(base_url=base, timeout=10) as http:
            lee = _token(http, "dr.lee", PASSWORD)
            pharmacist = _token(http, "pharmacist", PASSWORD)
            course_ids = [
                c["id"]
                for p in http.get("/api/v1/patients", headers=lee).json()
                for c in p["courses"]
            ]
        today = time.strftime("%Y-%m-%d", time.gmtime())
        plans: list[tuple[dict[str, str], list[tuple[str, str, dict[str, object]]]]] = []
        for worker in range(2):
            plans.append(
                (
                    lee,
                    [
                        (
                            "event",
                            f"/api/v1/courses/{course_ids[(worker + n) % len(course_ids)]}/events",
                            {
                                "id": f"crash-w{worker}-{n}",
                                "type": "weight",
                                "date": today,
                                "weight_kg": 60 + n % 20,
                            },
                        )
                        for n in range(400)
                    ],
                )
            )
            plans.append(
                (
                    pharmacist,
                    [
                        (
                            "decision",
                            f"/api/v1/courses/{course_ids[(worker + n) % len(course_ids)]}"
                            "/dispense-decisions",
                            {},
                        )
                        for n in range(400)
                    ],
                )
            )
        lock, stop = threading.Lock(), threading.Event()
        threads = [
            threading.Thread(target=_writer, args=(base, headers, send, result, lock, stop))
            for headers, send in plans
        ]
        for thread in threads:
            thread.start()
        # The kill comes at a random moment after the first acknowledged write.
        deadline = time.monotonic() + 60
        while not result.acknowledged and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(result.kill_after_seconds)
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=30)
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=30)

    restarted = _start(env, directory, port := free_port())
    try:
        _wait_ready(f"http://127.0.0.1:{port}", restarted)
    finally:
        os.killpg(restarted.pid, signal.SIGTERM)
        restarted.wait(timeout=60)

    engine = create_engine(database_url)
    with engine.connect() as connection:
        stored_events = set(
            connection.execute(text("SELECT course_id, event_id FROM events")).tuples()
        )
        stored_codes = set(
            connection.execute(text("SELECT code FROM dispense_authorizations")).scalars()
        )
    engine.dispose()
    result.missing = [
        f"event {e} of {c}" for c, e in result.acknowledged_events if (c, e) not in stored_events
    ] + [f"authorization {code}" for code in result.acknowledged_codes if code not in stored_codes]
    database = open_database(database_url)
    try:
        with database.reading() as connection:
            report = verify_all(connection)
    finally:
        database.dispose()
    result.verify_output = "\n".join(report.problems())
    result.verify_clean = report.intact
    return result
