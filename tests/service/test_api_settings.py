"""The clinic's settings over the REST API (``/api/v1/settings``): the admin console's use
cases for a clinic's own tooling. Admins change them, admins and auditors read them; a change
is all or nothing, a refused value names the setting, the value and what is allowed, and the
next dispense decision judges with what was set."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi.testclient import TestClient
from service_clinic import Clinic

from isotrack.knowledge import load_knowledge
from isotrack.service.programme_overlay import KIT

FACTS = load_knowledge()
LIMIT = FACTS.number("programme.test_min_sensitivity")
GOOD_KIT = FACTS.number("programme.example_clinic_urine_kit_sensitivity")


def _programme_setting(answer: httpx.Response | dict[str, Any], name: str) -> dict[str, Any]:
    if isinstance(answer, httpx.Response):
        assert answer.status_code == 200, answer.text
        answer = answer.json()
    setting: dict[str, Any] = next(s for s in answer["programme"] if s["name"] == name)
    return setting


def test_an_admin_sets_the_clinics_urine_kit_and_the_next_decision_uses_it(
    client: TestClient, clinic: Clinic
) -> None:
    # The clinic's IT sets the kit it bought (20 mIU/mL) from its own tooling, not the console.
    before = _programme_setting(client.get("/api/v1/settings", headers=clinic.auth("admin")), KIT)
    assert before["value"] is None and before["changed"] is None
    assert before["maximum"] == LIMIT and before["sources"], "the limit is shown with its source"
    answer = client.patch("/api/v1/settings", json={"values": {KIT: GOOD_KIT}},
                          headers=clinic.auth("admin"))  # fmt: skip
    assert answer.json()["changed"] == [KIT]
    after = _programme_setting(answer, KIT)
    assert after["value"] == GOOD_KIT and after["changed"]["changed_by"] == "admin"
    # Read by the auditor as well, with the value it replaced in the history.
    history = client.get("/api/v1/settings/history", headers=clinic.auth("auditor")).json()
    assert history[0]["before"] == "not configured" and str(int(GOOD_KIT)) in history[0]["after"]
    decision = client.post(f"/api/v1/courses/{clinic.courses['demo-02'].id}/dispense-decisions",
                           json={}, headers=clinic.auth("pharmacist")).json()  # fmt: skip
    overrides = [o["description"] for o in decision["decision"]["policy"]["overrides"]]
    assert overrides == ["parameter urine_kit_sensitivity uses fact clinic.urine_kit_sensitivity"]


def test_a_kit_weaker_than_the_programme_asks_is_refused_with_what_is_allowed(
    client: TestClient, clinic: Clinic
) -> None:
    # US-PT-01 / EU-PT-01: a test must detect 25 mIU/mL or less. One bad value in a change of
    # two refuses both: nothing is stored.
    weak = LIMIT + 5
    answer = client.patch(
        "/api/v1/settings",
        json={"values": {KIT: weak, "units.enzymes": "µkat/L"}},
        headers=clinic.auth("admin"),
    )
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    problem = answer.json()["errors"][0]
    assert problem["field"] == KIT and str(weak) in str(problem["value"])
    assert f"at most {LIMIT:g}" in problem["allowed"]
    now = client.get("/api/v1/settings", headers=clinic.auth("admin")).json()
    assert _programme_setting(now, KIT)["value"] is None
    assert next(s for s in now["clinic"] if s["name"] == "units.enzymes")["value"] == "U/L"
    assert client.get("/api/v1/settings/history", headers=clinic.auth("admin")).json() == []


def test_only_an_admin_changes_settings_and_only_admins_and_auditors_read_them(
    client: TestClient, clinic: Clinic
) -> None:
    for who in ("dr.lee", "pharmacist", "nurse.kim", "maya"):
        assert client.get("/api/v1/settings", headers=clinic.auth(who)).status_code == 403
    for who in ("auditor", "dr.lee", "pharmacist"):
        refused = client.patch("/api/v1/settings", json={"values": {KIT: GOOD_KIT}},
                               headers=clinic.auth(who))  # fmt: skip
        assert refused.status_code == 403, who
    unknown = client.patch("/api/v1/settings", json={"values": {"kit": 20}},
                           headers=clinic.auth("admin"))  # fmt: skip
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "kit"
    assert client.get("/api/v1/settings/history", headers=clinic.auth("admin")).json() == []
