"""``isotrack serve`` as a real process on a free port, driven over HTTP: the README's run
command (`db upgrade`, `demo`, `serve`) followed by a pharmacist's decision, then `verify`
and `export` on the same database."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from isotrack_process import ISOTRACK, free_port, run_isotrack

PASSWORD = "till-password-123"


@pytest.fixture
def environment(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["ISOTRACK_DATABASE_URL"] = f"sqlite:///{tmp_path / 'clinic.sqlite'}"
    env["ISOTRACK_PASSWORD_HASH_PROFILE"] = "CHEAPEST"
    env["ISOTRACK_NEW_PASSWORD"] = PASSWORD
    return env


def test_serve_refuses_an_outdated_schema(environment: dict[str, str], tmp_path: Path) -> None:
    refused = run_isotrack(["serve", "--port", str(free_port())], environment, tmp_path)
    assert refused.returncode != 0
    assert "outdated" in refused.stderr and "isotrack db upgrade" in refused.stderr


def test_the_run_command_serves_a_living_clinic_over_http(
    environment: dict[str, str], tmp_path: Path
) -> None:
    assert run_isotrack(["db", "upgrade"], environment, tmp_path).returncode == 0
    demo = run_isotrack(["demo"], environment, tmp_path)
    assert demo.returncode == 0 and "demo patients created" in demo.stdout
    assert "already present" in run_isotrack(["demo"], environment, tmp_path).stdout  # re-runnable
    added = run_isotrack(["user", "add", "till", "--role", "pharmacist"], environment, tmp_path)
    assert added.returncode == 0, added.stderr

    port = free_port()
    server = subprocess.Popen(
        [str(ISOTRACK), "serve", "--port", str(port), "--workers", "2", "--access-log"],
        env=environment,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120  # a loaded runner starts two workers slowly
        while True:
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None, server.stdout.read() if server.stdout else ""
            assert time.monotonic() < deadline, "the service did not become ready in 120 s"
            time.sleep(0.3)
        with httpx.Client(base_url=base, timeout=10) as http:
            token = http.post("/api/v1/auth/token", json={"username": "till", "password": PASSWORD})
            headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
            # Maya (demo-02) has a negative test and a prescription from yesterday.
            found = http.get(
                "/api/v1/pharmacy/prescriptions", params={"patient_id": "demo-02"}, headers=headers
            ).json()
            course_id = found["courses"][0]["course_id"]
            decision = http.post(
                f"/api/v1/courses/{course_id}/dispense-decisions", json={}, headers=headers
            )
            assert decision.status_code == 201, decision.text
            assert decision.json()["authorized"] is True
            assert http.get("/docs").status_code == 200
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    # --access-log: one line per request, route templates only (issue 16: it logged nothing).
    logged = server.stdout.read() if server.stdout else ""
    assert "GET /api/v1/pharmacy/prescriptions 200" in logged, logged
    assert "POST /api/v1/courses/{course_id}/dispense-decisions 201" in logged
    assert "demo-02" not in logged and course_id not in logged

    database = str(tmp_path / "clinic.sqlite")
    with sqlite3.connect(database) as connection:
        (stored,) = connection.execute("SELECT COUNT(*) FROM dispense_authorizations").fetchone()
    assert stored == 1
    verified = run_isotrack(["verify"], environment, tmp_path)
    assert verified.returncode == 0 and "every chain intact" in verified.stdout
    exported = run_isotrack(["export", course_id], environment, tmp_path)
    assert json.loads(exported.stdout)["patient"]["id"] == "demo-02"
