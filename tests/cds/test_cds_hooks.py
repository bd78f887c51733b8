"""CDS Hooks over real HTTP: an EHR signs each call (ES384 or RS384) and isotrack answers with
cards about a course that was imported from a FHIR bundle."""

from __future__ import annotations

import json
from typing import Any

import httpx
from card_rules import broken_rules
from cds_support import medication_order, order_sign
from conftest import CdsClinic

from isotrack.domain.timeline import Timeline
from isotrack.engines.holds import clinical_safety
from isotrack.knowledge import load_knowledge
from isotrack.store.access_log import accesses_of_patient
from isotrack.store.courses import read_course

SIGN = "isotrack-order-sign"
SELECT = "isotrack-order-select"
VIEW = "isotrack-patient-view"


def call(clinic: CdsClinic, service_id: str, body: dict[str, Any], rs384: bool = False) -> (
    httpx.Response
):  # fmt: skip
    client = clinic.other_ehr if rs384 else clinic.ehr
    url = clinic.url(service_id)
    return httpx.post(url, json=body, headers=client.auth(url), timeout=10)


def cards_of(response: httpx.Response) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    body = response.json()
    assert broken_rules(body) == []
    cards: list[dict[str, Any]] = body["cards"]
    return cards


def test_discovery_lists_the_three_services_with_their_prefetch(cds_clinic: CdsClinic) -> None:
    services = httpx.get(cds_clinic.url(), timeout=10).json()["services"]
    by_hook = {s["hook"]: s for s in services}
    assert set(by_hook) == {"order-sign", "order-select", "patient-view"}
    assert by_hook["order-sign"]["prefetch"]["patient"] == "Patient/{{context.patientId}}"
    assert (
        "MedicationRequest?patient={{context.patientId}}"
        in (by_hook["order-sign"]["prefetch"]["medications"])
    )


def test_order_sign_shows_the_regimen_and_cumulative_dose_of_the_ordered_supply(
    cds_clinic: CdsClinic,
) -> None:
    # Maya (imported from FHIR), iPLEDGE 2026: 40 mg a day for 30 days is within the limits.
    cards = cards_of(call(cds_clinic, SIGN, order_sign("demo-02", [medication_order(30)])))
    regimen = next(c for c in cards if c["source"]["topic"]["code"] == "regimen")
    assert regimen["summary"].startswith("40 mg/day × 30 days: cumulative")
    assert "mg/kg of a" in regimen["summary"]  # her weight is known: progress in mg/kg
    course_id = cds_clinic.courses["demo-02"]
    assert regimen["links"][0]["url"] == f"{cds_clinic.base}/courses/{course_id}"
    assert not any(c["indicator"] == "critical" for c in cards)


def test_too_long_a_supply_is_critical_with_a_fix_and_override_reasons(
    cds_clinic: CdsClinic,
) -> None:
    # iPLEDGE allows at most 30 days' supply per prescription (programme.max_days_supply).
    order = medication_order(35)
    cards = cards_of(call(cds_clinic, SIGN, order_sign("demo-02", [order])))
    critical = next(c for c in cards if c["source"]["topic"]["code"] == "order-not-allowed")
    assert critical["indicator"] == "critical" and "At most 30 days" in critical["summary"]
    assert cards[0] is critical  # what forbids comes first
    fix = critical["suggestions"][0]
    assert fix["label"] == "Change days' supply to 30"
    action = fix["actions"][0]
    assert action["type"] == "update"
    assert action["resource"]["id"] == order["id"]
    assert action["resource"]["dispenseRequest"]["expectedSupplyDuration"]["value"] == 30
    assert {r["code"] for r in critical["overrideReasons"]} >= {"cds-not-applicable"}


def test_patient_view_shows_the_clinical_hold_and_an_override_is_recorded_as_a_review(
    cds_clinic: CdsClinic,
) -> None:
    # Daniel: ALT above 3 times the upper limit holds the course (hepatotoxicity hold rule).
    body = order_sign("demo-14", [])
    body.update(hook="patient-view", context={"userId": "Practitioner/dr-lee",
                                              "patientId": "demo-14"})  # fmt: skip
    cards = cards_of(call(cds_clinic, VIEW, body, rs384=True))
    hold = next(c for c in cards if c["summary"].startswith("Clinical hold"))
    assert hold["indicator"] == "critical"
    assert any(c["source"]["topic"]["code"] == "progress" for c in cards)

    feedback_url = cds_clinic.url(VIEW, feedback=True)
    feedback = {"feedback": [{
        "card": hold["uuid"], "outcome": "overridden",
        "overrideReason": {"reason": {"code": "recipient-disagrees-evidence",
                                      "system": hold["overrideReasons"][0]["system"],
                                      "display": "I disagree with the evidence"},
                           "userComment": "repeat ALT normal at the outside lab"},
        "outcomeTimestamp": "2026-10-15T10:00:00Z",
    }]}  # fmt: skip
    answer = httpx.post(feedback_url, json=feedback, timeout=10,
                        headers=cds_clinic.other_ehr.auth(feedback_url))  # fmt: skip
    assert answer.status_code == 200, answer.text
    recorded = answer.json()["feedback"][0]["recorded"]
    assert len(recorded) == 1

    with cds_clinic.database.reading() as connection:
        course = read_course(connection, cds_clinic.courses["demo-14"])
    review = json.loads(next(e for e in course.events if e.event_id == recorded[0]).body)
    assert review["type"] == "alert_review" and review["outcome"] == "continue"
    assert "Practitioner/dr-lee" in review["note"]
    assert "repeat ALT normal at the outside lab" in review["note"]
    timeline: Timeline = course.timeline()
    safety = clinical_safety(load_knowledge(), timeline, timeline.events[-1].date)
    assert any(a.review and a.review.event_id == recorded[0] for a in safety.alerts)

    again = httpx.post(feedback_url, json=feedback, timeout=10,
                       headers=cds_clinic.other_ehr.auth(feedback_url))  # fmt: skip
    assert again.json()["feedback"][0]["already_recorded"] is True


def test_feedback_on_another_clients_card_records_nothing(cds_clinic: CdsClinic) -> None:
    body = order_sign("demo-02", [medication_order(35)])
    critical = next(
        c for c in cards_of(call(cds_clinic, SIGN, body)) if c["indicator"] == "critical"
    )
    url = cds_clinic.url(SIGN, feedback=True)
    feedback = {"feedback": [{"card": critical["uuid"], "outcome": "overridden",
                              "outcomeTimestamp": "2026-10-15T10:00:00Z"}]}  # fmt: skip
    answer = httpx.post(url, json=feedback, headers=cds_clinic.other_ehr.auth(url), timeout=10)
    assert answer.status_code == 200
    assert answer.json()["feedback"][0]["recorded"] == []


def test_a_patient_unknown_to_isotrack_gets_an_enrol_card(cds_clinic: CdsClinic) -> None:
    cards = cards_of(call(cds_clinic, SIGN, order_sign("ehr-patient-77", [medication_order(30)])))
    assert [c["source"]["topic"]["code"] for c in cards] == ["enrol"]
    assert cards[0]["links"][0]["url"].endswith("/patients/new")


def test_order_select_checks_only_the_selected_order(cds_clinic: CdsClinic) -> None:
    body = order_sign("demo-02", [medication_order(30, rid="a"), medication_order(35, rid="b")])
    body["hook"] = "order-select"
    body["context"]["selections"] = ["MedicationRequest/a"]
    cards = cards_of(call(cds_clinic, SELECT, body))
    assert not any(c["indicator"] == "critical" for c in cards)  # "b" (35 days) not selected
    body["context"]["selections"] = ["MedicationRequest/b"]
    cards = cards_of(call(cds_clinic, SELECT, body))
    assert any(c["source"]["topic"]["code"] == "order-not-allowed" for c in cards)


def test_a_draft_changed_between_two_calls_is_judged_as_it_now_stands(
    cds_clinic: CdsClinic,
) -> None:
    # A prescriber's order-select for 30 days, then the order-sign after changing the supply to
    # 35 days with the same order id: draft orders read once are kept between calls, but only
    # for the same orders, so the longer supply is refused (iPLEDGE: at most 30 days).
    first = order_sign("demo-02", [medication_order(30, rid="draft-7")])
    assert not any(c["indicator"] == "critical" for c in cards_of(call(cds_clinic, SIGN, first)))
    changed = order_sign("demo-02", [medication_order(35, rid="draft-7")])
    cards = cards_of(call(cds_clinic, SIGN, changed))
    assert any(c["source"]["topic"]["code"] == "order-not-allowed" for c in cards)
    # The same order asked about again under a new hookInstance gets card ids of its own, so
    # feedback names the call it answers.
    again = order_sign("demo-02", [medication_order(35, rid="draft-7")])
    assert {c["uuid"] for c in cards}.isdisjoint(
        c["uuid"] for c in cards_of(call(cds_clinic, SIGN, again))
    )


def test_an_order_for_another_drug_gets_no_cards(cds_clinic: CdsClinic) -> None:
    other = medication_order(30)
    other["medicationCodeableConcept"] = {"text": "Amoxicillin 500 mg capsule"}
    assert cards_of(call(cds_clinic, SIGN, order_sign("demo-02", [other]))) == []


def test_every_call_about_a_known_patient_is_in_the_access_log_under_the_ehr(
    cds_clinic: CdsClinic,
) -> None:
    # Issue 16, accounting of disclosures: an EHR's card request reads the patient's record
    # through the CDS Hooks door, and a second identical call (answered from kept answers) is
    # a second disclosure all the same.
    course_id = cds_clinic.courses["demo-02"]
    with cds_clinic.database.reading() as connection:
        patient_id = read_course(connection, course_id).header.patient_id
        before = len(accesses_of_patient(connection, patient_id))
    for _ in range(2):
        cards_of(call(cds_clinic, SIGN, order_sign("demo-02", [medication_order(30)])))
    with cds_clinic.database.reading() as connection:
        rows = accesses_of_patient(connection, patient_id)[before:]
    assert [(r.door, r.role, r.username, r.course_id, r.action) for r in rows] == [
        ("cds-hooks", "ehr", cds_clinic.ehr.issuer, course_id, "read")
    ] * 2
