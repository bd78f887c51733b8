"""Every endpoint × every role, as one table: who may do what, and who gets 403 or 404.

Cast (see ``service_clinic.build_clinic``): Maya (demo-02) is in dr.lee's care; nurse.kim is
dr.lee's designee; dr.patel looks after other patients; Maya signs in as herself. Out-of-reach
records answer 404 so that their existence is not revealed; a role that may never do an action
answers 403; no credentials answer 401.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient
from service_clinic import TODAY, Clinic

from isotrack.store.authorizations import make_record, record_authorization_now

ROLES = ("admin", "dr.lee", "dr.patel", "nurse.kim", "pharmacist", "maya", "auditor", "anonymous")


@dataclass(frozen=True)
class Row:
    method: str
    path: str
    expected: tuple[int, ...]  # one status per role, in ROLES order
    body: Any = None


def _rows(course: str, code: str) -> list[Row]:
    #                                            admin lee patel kim pharm maya audit anon
    return [
        Row("GET", "/api/v1/me", (200, 200, 200, 200, 200, 200, 200, 401)),
        Row("GET", "/api/v1/users", (200, 403, 403, 403, 403, 403, 403, 401)),
        Row("POST", "/api/v1/users", (201, 403, 403, 403, 403, 403, 403, 401),
            {"username": "new.{role}", "role": "auditor"}),
        Row("GET", "/api/v1/patients", (403, 200, 200, 200, 403, 403, 403, 401)),
        Row("POST", "/api/v1/patients", (403, 201, 201, 201, 403, 403, 403, 401),
            {"display_name": "New Patient", "birth_date": "2001-02-03", "sex_at_birth": "male",
             "can_get_pregnant": False, "policy": "us-ipledge-2026"}),
        Row("GET", "/api/v1/patients/demo-02", (403, 200, 404, 200, 403, 200, 403, 401)),
        Row("POST", "/api/v1/patients/demo-02/courses", (403, 201, 404, 201, 403, 403, 403, 401),
            {"policy": "us-ipledge-2026", "birth_date": "2004-05-01", "sex_at_birth": "female",
             "can_get_pregnant": True}),
        Row("GET", f"/api/v1/courses/{course}", (403, 200, 404, 200, 403, 200, 403, 401)),
        Row("GET", f"/api/v1/courses/{course}/events", (403, 200, 404, 200, 403, 200, 403, 401)),
        Row("GET", f"/api/v1/courses/{course}/evaluation",
            (403, 200, 404, 200, 403, 200, 403, 401)),
        Row("GET", f"/api/v1/courses/{course}/schedule", (403, 200, 404, 200, 403, 200, 403, 401)),
        Row("GET", f"/api/v1/courses/{course}/export", (403, 200, 404, 200, 403, 200, 403, 401)),
        # A mood questionnaire: clinic staff and the patient herself may record one.
        Row("POST", f"/api/v1/courses/{course}/events", (403, 201, 404, 201, 403, 201, 403, 401),
            {"id": "phq-{role}", "type": "mood_screen", "date": TODAY.isoformat(),
             "item_scores": [0, 0, 0, 0, 0, 0, 0, 0, 0]}),
        # A weight is clinical: not the patient's, not the pharmacy's to record.
        Row("POST", f"/api/v1/courses/{course}/events", (403, 201, 404, 201, 403, 403, 403, 401),
            {"id": "w-{role}", "type": "weight", "date": TODAY.isoformat(), "weight_kg": 58}),
        Row("POST", f"/api/v1/courses/{course}/dispense-decisions",
            (403, 403, 403, 403, 201, 403, 403, 401), {}),
        Row("GET", f"/api/v1/courses/{course}/dispense-decisions",
            (403, 200, 404, 200, 200, 403, 403, 401)),
        Row("GET", f"/api/v1/dispense-decisions/{code}", (403, 200, 404, 200, 200, 403, 403, 401)),
        Row("GET", "/api/v1/pharmacy/prescriptions?patient_id=demo-02",
            (403, 403, 403, 403, 200, 403, 403, 401)),
        Row("POST", "/api/v1/planner", (403, 200, 200, 200, 403, 403, 403, 401),
            {"product": "claravis", "weight_kg": 60, "start": TODAY.isoformat(),
             "mg_per_kg_per_day": 0.5, "target_mg_per_kg": 120}),
        Row("GET", "/api/v1/facts", (200, 200, 200, 200, 200, 200, 200, 401)),
        Row("GET", "/api/v1/audit/summary", (403, 403, 403, 403, 403, 403, 200, 401)),
    ]  # fmt: skip


def _fill(value: Any, role: str) -> Any:
    if isinstance(value, str):
        return value.replace("{role}", role.replace(".", "-"))
    if isinstance(value, dict):
        return {k: _fill(v, role) for k, v in value.items()}
    return value


def test_every_endpoint_answers_every_role_as_the_access_rules_say(
    client: TestClient, clinic: Clinic
) -> None:
    course = clinic.courses["demo-02"].id
    with clinic.database.writing() as connection:
        code = "ACCESS0001"
        record_authorization_now(
            connection,
            make_record(
                code=code, course_id=course, prescription_id=None, decided_on=TODAY,
                authorized=False, dispense_by=None, max_days_supply=None,
                decision={"authorized": False}, requested_by=clinic.users["pharmacist"].id,
            ),
        )  # fmt: skip
    wrong: list[str] = []
    for row in _rows(course, code):
        for role, expected in zip(ROLES, row.expected, strict=True):
            headers = {} if role == "anonymous" else clinic.auth(role)
            response = client.request(
                row.method, row.path, headers=headers, json=_fill(row.body, role)
            )
            if response.status_code != expected:
                wrong.append(
                    f"{row.method} {row.path} as {role}: {response.status_code}, "
                    f"expected {expected} ({response.text[:160]})"
                )
            elif expected >= 400:
                assert response.headers["content-type"].startswith("application/problem+json")
    assert not wrong, "\n".join(wrong)
