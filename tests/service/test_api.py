"""The REST API in clinical stories: appending with versions, retries, refusals that change
nothing, the pharmacist's recorded decisions, sign-in, sessions and CSRF."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from service_clinic import PASSWORD, TODAY, Clinic
from sqlalchemy import func, select, text

from isotrack.store.courses import read_course
from isotrack.store.tables import dispense_authorizations
from isotrack.store.users import Role, create_user

DAY = TODAY.isoformat()


def _version(clinic: Clinic, patient_id: str) -> int:
    with clinic.database.reading() as connection:
        return read_course(connection, clinic.courses[patient_id].id).version


def _authorizations(clinic: Clinic) -> int:
    with clinic.database.reading() as connection:
        count = connection.execute(select(func.count()).select_from(dispense_authorizations))
        return int(count.scalar_one())


def _events_url(clinic: Clinic, patient_id: str) -> str:
    return f"/api/v1/courses/{clinic.courses[patient_id].id}/events"


def _weight(event_id: str, kg: float = 62) -> dict[str, Any]:
    return {"id": event_id, "type": "weight", "date": DAY, "weight_kg": kg}


def _problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


def test_append_with_the_current_etag_then_a_stale_one_is_refused(
    client: TestClient, clinic: Clinic
) -> None:
    url = _events_url(clinic, "demo-01")
    course = client.get(url.removesuffix("/events"), headers=clinic.auth("dr.lee"))
    etag = course.headers["ETag"]
    first = client.post(
        url, json=_weight("w-nurse"), headers={**clinic.auth("nurse.kim"), "If-Match": etag}
    )
    assert first.status_code == 201
    assert first.json()["recorded_by"] == "nurse.kim"
    assert first.headers["ETag"] != etag
    version_after_first = _version(clinic, "demo-01")
    # dr.lee still holds the old ETag: his weight must not silently land on a changed course.
    stale = client.post(
        url, json=_weight("w-doctor"), headers={**clinic.auth("dr.lee"), "If-Match": etag}
    )
    body = _problem(stale, 412)
    assert body["current_version"] == version_after_first
    assert body["errors"][0]["field"] == "If-Match"
    assert stale.headers["ETag"] == first.headers["ETag"]
    assert _version(clinic, "demo-01") == version_after_first


def test_two_clients_appending_at_once_one_wins_one_conflicts_nothing_lost(
    client: TestClient, clinic: Clinic
) -> None:
    url = _events_url(clinic, "demo-01")
    etag = client.get(url, headers=clinic.auth("dr.lee")).headers["ETag"]
    barrier = threading.Barrier(2)

    def append(who: str) -> int:
        barrier.wait()
        headers = {**clinic.auth(who), "If-Match": etag}
        return client.post(url, json=_weight(f"w-{who}"), headers=headers).status_code

    with ThreadPoolExecutor(2) as pool:
        statuses = sorted(pool.map(append, ["dr.lee", "nurse.kim"]))
    assert statuses[0] == 201 and statuses[1] in (409, 412)
    # The loser reads the course again and retries: both weights are kept.
    listing = client.get(url, headers=clinic.auth("dr.lee"))
    recorded = {e["event_id"] for e in listing.json()["events"]}
    loser = "nurse.kim" if "w-dr.lee" in recorded else "dr.lee"
    retry = client.post(
        url,
        json=_weight(f"w-{loser}"),
        headers={**clinic.auth(loser), "If-Match": listing.headers["ETag"]},
    )
    assert retry.status_code == 201
    final = {e["event_id"] for e in client.get(url, headers=clinic.auth("dr.lee")).json()["events"]}
    assert {"w-dr.lee", "w-nurse.kim"} <= final


def test_a_retried_post_with_the_same_idempotency_key_is_recorded_once(
    client: TestClient, clinic: Clinic
) -> None:
    url = _events_url(clinic, "demo-01")
    before = _version(clinic, "demo-01")
    headers = {**clinic.auth("dr.lee"), "Idempotency-Key": "visit-2026-10-15-weight"}
    first = client.post(url, json=_weight("w-retry"), headers=headers)
    again = client.post(url, json=_weight("w-retry"), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert _version(clinic, "demo-01") == before + 1
    # The same key for another request is a client error, and records nothing.
    other = client.post(url, json=_weight("w-other", 70), headers=headers)
    assert _problem(other, 422)["errors"][0]["field"] == "Idempotency-Key"
    assert _version(clinic, "demo-01") == before + 1


@pytest.mark.parametrize(
    ("event", "field", "allowed_mentions"),
    [
        (_weight("w-neg", -5), "weight_kg", "greater than 0"),
        ({"id": "x1", "type": "weigth", "date": DAY, "weight_kg": 60}, "type", "weight"),
        ({"id": "x2", "type": "weight", "date": "15/10/2026", "weight_kg": 60}, "date", ""),
        ({**_weight("x3"), "recorded_by": "dr.patel"}, "recorded_by", "dr.lee"),
        (
            {"id": "v1", "type": "void", "date": DAY, "target_id": "nope", "reason": "typo"},
            "",
            "earlier event",
        ),
    ],
)
def test_bad_input_is_a_problem_naming_the_field_and_changes_nothing(
    client: TestClient, clinic: Clinic, event: dict[str, Any], field: str, allowed_mentions: str
) -> None:
    before = _version(clinic, "demo-01")
    response = client.post(
        _events_url(clinic, "demo-01"), json=event, headers=clinic.auth("dr.lee")
    )
    problem = _problem(response, 422)
    text_of_errors = " ".join(f"{e['field']} {e['allowed']}" for e in problem["errors"])
    assert field in text_of_errors and allowed_mentions in text_of_errors, problem
    assert _version(clinic, "demo-01") == before


def test_a_lab_result_in_a_unit_that_cannot_express_the_test_is_refused(
    client: TestClient, clinic: Clinic
) -> None:
    pytest.importorskip("isotrack.engines.monitoring.lab_units")
    before = _version(clinic, "demo-01")
    # ALT is an enzyme activity (U/L); a molar concentration cannot express it.
    alt_in_mmol = {
        "id": "alt-x",
        "type": "lab_result",
        "date": DAY,
        "test": "alt",
        "value": 30,
        "unit": "mmol/L",
    }
    response = client.post(
        _events_url(clinic, "demo-01"), json=alt_in_mmol, headers=clinic.auth("dr.lee")
    )
    problem = _problem(response, 422)
    assert problem["errors"][0]["field"] == "unit" and problem["errors"][0]["value"] == "mmol/L"
    assert _version(clinic, "demo-01") == before


def test_home_pregnancy_tests_from_patients_follow_the_policy(
    client: TestClient, clinic: Clinic
) -> None:
    # iPLEDGE 2026 accepts home tests during treatment (rule US-PT-06b-during); the EU PPP
    # does not (EU-PT-01-during): Maya (US, on treatment) may report one, Lukas (EU) may not.
    with clinic.database.writing() as connection:
        create_user(
            connection, username="lukas", password=PASSWORD, role=Role.PATIENT, patient_id="demo-09"
        )
    lukas = client.post("/api/v1/auth/token", json={"username": "lukas", "password": PASSWORD})
    home_test = {
        "id": "home-1",
        "type": "pregnancy_test",
        "date": DAY,
        "result": "negative",
        "kind": "urine",
        "setting": "home",
    }
    maya = client.post(_events_url(clinic, "demo-02"), json=home_test, headers=clinic.auth("maya"))
    assert maya.status_code == 201, maya.text
    before = _version(clinic, "demo-09")
    refused = client.post(
        _events_url(clinic, "demo-09"),
        json=home_test,
        headers={"Authorization": f"Bearer {lukas.json()['access_token']}"},
    )
    problem = _problem(refused, 422)
    assert (
        problem["errors"][0]["field"] == "setting"
        and "eu-ppp-2018" in problem["errors"][0]["allowed"]
    )
    assert _version(clinic, "demo-09") == before
    # A patient cannot enter a clinic test as if the clinic had done it.
    clinic_test = {**home_test, "id": "home-2", "setting": "medical"}
    posing = client.post(
        _events_url(clinic, "demo-02"), json=clinic_test, headers=clinic.auth("maya")
    )
    assert _problem(posing, 422)["errors"][0]["field"] == "setting"


def test_pharmacist_decision_is_recorded_and_its_code_allows_one_dispense(
    client: TestClient, clinic: Clinic
) -> None:
    # Maya: negative test and prescription yesterday, two methods of contraception → authorized.
    url = f"/api/v1/courses/{clinic.courses['demo-02'].id}/dispense-decisions"
    pharmacist = clinic.auth("pharmacist")
    decided = client.post(url, json={}, headers={**pharmacist, "Idempotency-Key": "till-7"})
    assert decided.status_code == 201, decided.text
    answer = decided.json()
    assert answer["authorized"] is True and answer["dispense_by"] >= DAY
    assert answer["decision"]["reasons"] == []
    # Recorded before the answer was sent, exactly once even when the till retries.
    assert _authorizations(clinic) == 1
    retried = client.post(url, json={}, headers={**pharmacist, "Idempotency-Key": "till-7"})
    assert retried.json()["authorization_code"] == answer["authorization_code"]
    assert _authorizations(clinic) == 1
    looked_up = client.get(
        f"/api/v1/dispense-decisions/{answer['authorization_code']}", headers=pharmacist
    )
    assert looked_up.json() == answer

    dispense = {
        "id": "disp-today",
        "type": "dispense",
        "date": DAY,
        "days_supply": 30,
        "prescription_id": answer["prescription_id"],
        "authorization_code": answer["authorization_code"],
    }
    events = _events_url(clinic, "demo-02")
    assert client.post(events, json=dispense, headers=pharmacist).status_code == 201
    twice = client.post(events, json={**dispense, "id": "disp-again"}, headers=pharmacist)
    assert _problem(twice, 422)["errors"][0]["field"] == "authorization_code"
    without = {k: v for k, v in dispense.items() if k != "authorization_code"}
    no_code = client.post(events, json={**without, "id": "disp-3"}, headers=pharmacist)
    assert _problem(no_code, 422)["errors"][0]["field"] == "authorization_code"


def test_a_refused_decision_is_recorded_with_reasons_and_cannot_back_a_dispense(
    client: TestClient, clinic: Clinic
) -> None:
    # Jonas: every prescription already dispensed, none waiting → refused, with a reason.
    course = clinic.courses["demo-01"].id
    decided = client.post(
        f"/api/v1/courses/{course}/dispense-decisions", json={}, headers=clinic.auth("pharmacist")
    ).json()
    assert decided["authorized"] is False and decided["decision"]["reasons"]
    assert _authorizations(clinic) == 1
    dispense = {
        "id": "d-x",
        "type": "dispense",
        "date": DAY,
        "days_supply": 30,
        "prescription_id": "prescription-1",
        "authorization_code": decided["authorization_code"],
    }
    refused = client.post(
        _events_url(clinic, "demo-01"), json=dispense, headers=clinic.auth("pharmacist")
    )
    assert _problem(refused, 422)["errors"][0]["field"] == "authorization_code"


def test_sign_in_is_refused_after_repeated_failures_even_with_the_right_password(
    client: TestClient, clinic: Clinic
) -> None:
    for _ in range(5):  # settings.login_max_failures defaults to 5
        wrong = client.post("/api/v1/auth/token", json={"username": "dr.lee", "password": "x"})
        assert wrong.status_code == 401
    right = client.post("/api/v1/auth/token", json={"username": "dr.lee", "password": PASSWORD})
    assert _problem(right, 429)["type"].endswith("login-throttled")
    assert int(right.headers["Retry-After"]) > 0
    other = client.post("/api/v1/auth/token", json={"username": "maya", "password": PASSWORD})
    assert other.status_code == 200


def test_browser_session_needs_its_csrf_token_for_writes_and_ends_at_sign_out(
    client: TestClient, clinic: Clinic
) -> None:
    login = client.post("/api/v1/auth/login", json={"username": "maya", "password": PASSWORD})
    assert login.status_code == 200
    csrf = login.json()["csrf_token"]
    assert client.get("/api/v1/me").json()["username"] == "maya"  # the cookie alone reads
    missed_dose = {"id": "missed-1", "type": "dose_missed", "date": DAY, "days": 1}
    before = _version(clinic, "demo-02")
    forged = client.post(_events_url(clinic, "demo-02"), json=missed_dose)
    assert _problem(forged, 403)["type"].endswith("csrf")
    assert _version(clinic, "demo-02") == before
    genuine = client.post(
        _events_url(clinic, "demo-02"), json=missed_dose, headers={"X-CSRF-Token": csrf}
    )
    assert genuine.status_code == 201
    assert client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    assert client.get("/api/v1/me").status_code == 401


def test_revoked_and_expired_tokens_are_refused(client: TestClient, clinic: Clinic) -> None:
    assert client.get("/api/v1/me", headers=clinic.auth("dr.lee")).status_code == 200
    assert client.post("/api/v1/auth/logout", headers=clinic.auth("dr.lee")).status_code == 204
    assert _problem(client.get("/api/v1/me", headers=clinic.auth("dr.lee")), 401)
    with clinic.database.writing() as connection:
        connection.execute(text("UPDATE sessions SET expires_at = 0"))
    assert client.get("/api/v1/me", headers=clinic.auth("nurse.kim")).status_code == 401


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"] == {"database": "ok", "schema": "ok", "knowledge": "ok"}
