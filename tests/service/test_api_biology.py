"""The course's biology over real HTTP (uvicorn on a free port): acne assessments from the clinic
and from the patient kept apart (decision 17), the response summary in the evaluation, and the
estimated drug levels of a product and of a course (decision 16, docs/pharmacokinetics.md)."""

from __future__ import annotations

import json
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn
from isotrack_process import ISOTRACK
from service_clinic import TODAY, Clinic

from isotrack.server import create_app
from isotrack.service.settings import Settings

DAY = TODAY.isoformat()


@pytest.fixture
def http(settings: Settings, clinic: Clinic) -> Iterator[httpx.Client]:
    """The whole service behind a real socket, its calendar fixed at TODAY."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    app = create_app(settings, today=lambda: TODAY)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    with httpx.Client(base_url=base, timeout=30) as client:
        yield client
    server.should_exit = True
    thread.join(timeout=10)


def _course(clinic: Clinic, patient_id: str) -> str:
    return clinic.courses[patient_id].id


def _assessment(event_id: str, grade: int, assessed_by: str, **extra: Any) -> dict[str, Any]:
    return {"id": event_id, "type": "acne_assessment", "date": DAY, "scale": "iga",
            "grade": grade, "assessed_by": assessed_by, **extra}  # fmt: skip


def _stored_assessed_by(http: httpx.Client, clinic: Clinic, event_id: str) -> str:
    events = http.get(
        f"/api/v1/courses/{_course(clinic, 'demo-02')}/events", headers=clinic.auth("dr.lee")
    ).json()
    found = [e for e in events["events"] if e["event"]["id"] == event_id]
    return str(found[0]["event"]["assessed_by"])


def test_a_patient_self_report_is_stored_as_hers_and_never_replaces_the_prescribers_grade(
    http: httpx.Client, clinic: Clinic
) -> None:
    # Maya's prescriber grades her acne "almost clear" (IGA 1, clear by the policy's IGA 0-1
    # definition); the same day Maya sends grade 4 claiming to be the prescriber. Decision 17:
    # only a prescriber's assessment sets clearance; the self-report is its own series.
    url = f"/api/v1/courses/{_course(clinic, 'demo-02')}/events"
    doctor = http.post(
        url, json=_assessment("iga-dr", 1, "prescriber"), headers=clinic.auth("dr.lee")
    )
    assert doctor.status_code == 201, doctor.text
    posing = _assessment("iga-maya", 4, "prescriber", note="itchy on the chin")
    maya = http.post(url, json=posing, headers=clinic.auth("maya"))
    assert maya.status_code == 201, maya.text
    assert maya.json()["event"]["assessed_by"] == "patient"
    assert _stored_assessed_by(http, clinic, "iga-maya") == "patient"

    evaluation = http.get(
        f"/api/v1/courses/{_course(clinic, 'demo-02')}/evaluation", headers=clinic.auth("dr.lee")
    ).json()
    response = evaluation["response"]
    assert response["cleared_on"] == DAY
    assert response["prescriber"]["points"][-1]["grade"] == 1
    assert [p["grade"] for p in response["self_report"]["points"]] == [4]
    assert response["self_reported_clear_on"] is None


def test_staff_assessments_are_the_prescribers_even_when_sent_as_a_self_report(
    http: httpx.Client, clinic: Clinic
) -> None:
    # The designee (nurse.kim, for dr.lee) records what the clinic saw; sending "patient" does
    # not turn the clinic's grade into a self-report.
    url = f"/api/v1/courses/{_course(clinic, 'demo-02')}/events"
    sent = _assessment("iga-nurse", 0, "patient")
    nurse = http.post(url, json=sent, headers=clinic.auth("nurse.kim"))
    assert nurse.status_code == 201, nurse.text
    assert _stored_assessed_by(http, clinic, "iga-nurse") == "prescriber"
    # A pharmacist records dispenses only.
    pharmacist = http.post(url, json=_assessment("iga-ph", 2, "prescriber"),
                           headers=clinic.auth("pharmacist"))  # fmt: skip
    assert pharmacist.status_code == 403
    assert pharmacist.json()["errors"][0]["field"] == "type"


def test_product_levels_match_the_cli_json(http: httpx.Client, clinic: Clinic) -> None:
    # The API answers with the same report as `isotrack pk --json` for the same question.
    query = {"product": "absorica", "dose_mg": 40, "food": "fed", "days": 14}
    answer = http.get("/api/v1/pk", params=query, headers=clinic.auth("dr.lee"))
    assert answer.status_code == 200, answer.text
    cli = subprocess.run(
        [str(ISOTRACK), "pk", "--product", "absorica", "--dose-mg", "40", "--food", "fed",
         "--days", "14", "--json"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert answer.json() == json.loads(cli.stdout)
    body = answer.json()
    assert body["washout"]["rules"][0]["rule"] == "contraception_after_last_dose"
    assert body["steady_state_day"] is not None


def test_bad_drug_level_questions_name_the_field(http: httpx.Client, clinic: Clinic) -> None:
    unknown = http.get("/api/v1/pk", params={"product": "sunshine", "dose_mg": 40},
                       headers=clinic.auth("dr.lee"))  # fmt: skip
    assert unknown.status_code == 422
    problem = unknown.json()
    assert problem["errors"][0]["field"] == "product"
    assert "absorica" in problem["errors"][0]["allowed"]
    too_long = http.get("/api/v1/pk", params={"product": "absorica", "dose_mg": 40, "days": 9999},
                        headers=clinic.auth("dr.lee"))  # fmt: skip
    assert too_long.status_code == 422 and too_long.json()["errors"][0]["field"] == "days"
    assert http.get("/api/v1/pk", params={"product": "absorica", "dose_mg": 40}).status_code == 401


def test_course_levels_follow_the_real_dispenses_and_stay_within_reach(
    http: httpx.Client, clinic: Clinic
) -> None:
    # Maya's three Absorica dispenses are counted day by day, two intakes a day (the label's
    # advice); the washout after her latest dose is compared with the one-month rules.
    url = f"/api/v1/courses/{_course(clinic, 'demo-02')}/pk"
    body = http.get(url, headers=clinic.auth("maya")).json()
    assert body["product"] == "absorica"
    assert body["first_dose_date"] is not None
    assert len(body["dose_times_h"]) % 2 == 0 and len(body["dose_times_h"]) > 60
    contraception = body["washout"]["rules"][0]
    assert contraception["rule_days"] == 30 and contraception["covered"] is True
    # dr.patel does not look after Maya: not found, not forbidden.
    assert http.get(url, headers=clinic.auth("dr.patel")).status_code == 404
    # Before the first dose nothing is counted yet.
    early = http.get(url, params={"as_of": "2026-01-01"}, headers=clinic.auth("dr.lee"))
    assert early.status_code == 204


def test_the_openapi_document_describes_the_drug_level_routes(http: httpx.Client) -> None:
    spec = http.get("/openapi.json").json()
    assert "/api/v1/pk" in spec["paths"]
    assert "/api/v1/courses/{course_id}/pk" in spec["paths"]
    params = {p["name"] for p in spec["paths"]["/api/v1/pk"]["get"]["parameters"]}
    assert {"product", "dose_mg", "food", "days"} <= params
