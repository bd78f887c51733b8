"""Clinical safety over real HTTP (SQLite and PostgreSQL): holds in the dispense decision,
the alert lifecycle, reviews only by a prescriber, the order-entry check on signing, the
acne self-report and the pregnancy exposure record (issue 10)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from service_clinic import TODAY, Clinic

DAY = TODAY.isoformat()
# Triglycerides of 1 200 mg/dL are in the pancreatitis band of every policy
# (hold.triglycerides.pancreatitis_band, us-plr-w): the course is put on clinical hold.
HIGH_TG = {"id": "tg-high", "type": "lab_result", "date": DAY, "test": "triglycerides",
           "value": 1200, "unit": "mg/dL"}  # fmt: skip
RX = {"id": "rx-new", "date": DAY, "product": "claravis", "daily_dose_mg": 40, "days_supply": 30}


def _course(clinic: Clinic, patient: str) -> str:
    return clinic.courses[patient].id


def _post_event(client: TestClient, clinic: Clinic, who: str, patient: str,
                event: dict[str, Any]) -> Any:  # fmt: skip
    return client.post(
        f"/api/v1/courses/{_course(clinic, patient)}/events", json=event, headers=clinic.auth(who)
    )


def _version(client: TestClient, clinic: Clinic, patient: str) -> int:
    answer = client.get(
        f"/api/v1/courses/{_course(clinic, patient)}/events", headers=clinic.auth("dr.lee")
    )
    return int(answer.json()["version"])


def _sign(client: TestClient, clinic: Clinic, who: str, body: dict[str, Any]) -> Any:
    return client.post(
        f"/api/v1/courses/{_course(clinic, 'demo-02')}/prescriptions",
        json=body,
        headers=clinic.auth(who),
    )


def _decide(client: TestClient, clinic: Clinic) -> dict[str, Any]:
    answer = client.post(
        f"/api/v1/courses/{_course(clinic, 'demo-02')}/dispense-decisions",
        json={},
        headers=clinic.auth("pharmacist"),
    )
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def test_a_hold_refuses_the_dispense_apart_from_the_programme_until_a_prescriber_reviews_it(
    client: TestClient, clinic: Clinic
) -> None:
    # Maya's programme is met today (authorized in test_api); then a triglyceride of 1 200.
    assert _post_event(client, clinic, "dr.lee", "demo-02", HIGH_TG).status_code == 201
    held = _decide(client, clinic)
    assert held["authorized"] is False
    assert held["programme_met"] is True and held["reasons"] == []
    assert [h["code"] for h in held["clinical_holds"]] == ["TG_PANCREATITIS_RISK"]
    hold = held["clinical_holds"][0]
    assert hold["alert_id"] == "TG_PANCREATITIS_RISK:tg-high"
    assert "prescriber" in hold["action"].lower()

    alerts = client.get(
        f"/api/v1/courses/{_course(clinic, 'demo-02')}/alerts", headers=clinic.auth("dr.lee")
    ).json()
    assert [(a["alert"]["id"], a["state"]) for a in alerts["alerts"]] == [
        (hold["alert_id"], "open")
    ]
    review = {"id": "rev-1", "type": "alert_review", "date": DAY, "alert_id": hold["alert_id"],
              "outcome": "continue", "note": "Fasting repeat arranged."}  # fmt: skip
    # Only a prescriber lifts a hold: the designee and the patient are refused by type.
    for who in ("nurse.kim", "maya"):
        refused = _post_event(client, clinic, who, "demo-02", review)
        assert refused.status_code == 403 and refused.json()["errors"][0]["field"] == "type"
    typo = _post_event(client, clinic, "dr.lee", "demo-02", {**review, "alert_id": "TG:nope"})
    assert typo.status_code == 422 and typo.json()["errors"][0]["field"] == "alert_id"
    assert _post_event(client, clinic, "dr.lee", "demo-02", review).status_code == 201

    reviewed = client.get(
        f"/api/v1/courses/{_course(clinic, 'demo-02')}/alerts", headers=clinic.auth("dr.lee")
    ).json()
    assert reviewed["alerts"][0]["state"] == "reviewed"
    assert reviewed["alerts"][0]["review"]["reviewed_by"] == "dr.lee"
    assert reviewed["clinical_holds"] == []
    lifted = _decide(client, clinic)
    assert lifted["authorized"] is True and lifted["clinical_holds"] == []


def test_signing_needs_a_review_of_each_hold_and_confirmed_warnings_and_stores_all_or_nothing(
    client: TestClient, clinic: Clinic
) -> None:
    assert _post_event(client, clinic, "dr.lee", "demo-02", HIGH_TG).status_code == 201
    before = _version(client, clinic, "demo-02")

    bare = _post_event(client, clinic, "dr.lee", "demo-02", {**RX, "type": "prescription"})
    assert bare.status_code == 422 and bare.json()["errors"][0]["field"] == "reviews"

    too_long = _sign(client, clinic, "dr.lee", {"prescription": {**RX, "days_supply": 90}})
    assert too_long.status_code == 422
    error = too_long.json()["errors"][0]
    assert error["field"] == "days_supply" and error["value"] == "90" and "30" in error["allowed"]

    unreviewed = _sign(client, clinic, "dr.lee", {"prescription": RX})
    assert unreviewed.status_code == 422
    assert unreviewed.json()["clinical_holds"][0]["alert_id"] == "TG_PANCREATITIS_RISK:tg-high"

    review = {"alert_id": "TG_PANCREATITIS_RISK:tg-high", "outcome": "continue", "date": DAY,
              "note": "Benefit outweighs risk; fenofibrate started."}  # fmt: skip
    holding = _sign(client, clinic, "dr.lee",
                    {"prescription": RX, "reviews": [{**review, "outcome": "hold"}]})  # fmt: skip
    assert holding.status_code == 422
    assert holding.json()["errors"][0]["field"] == "reviews[0].outcome"
    # 160 mg a day at 64 kg is above 2 mg/kg/day (dosing.severe_disease_max_mg_per_kg_day):
    # confirming the warnings once is not enough.
    heavy = {**RX, "daily_dose_mg": 160}
    once = _sign(client, clinic, "dr.lee", {"prescription": heavy, "reviews": [review],
                                             "confirm_warnings": True})  # fmt: skip
    assert once.status_code == 409
    assert any(w["needs_second_confirmation"] for w in once.json()["warnings"])
    assert _version(client, clinic, "demo-02") == before  # nothing stored by any refusal

    designee = _sign(client, clinic, "nurse.kim", {"prescription": RX, "reviews": [review]})
    assert designee.status_code == 403

    signed = _sign(client, clinic, "dr.lee", {"prescription": RX, "reviews": [review],
                                               "confirm_warnings": True})  # fmt: skip
    assert signed.status_code == 201, signed.text
    assert _version(client, clinic, "demo-02") == before + 2  # the review and the prescription
    assert signed.json()["reviews"][0]["recorded_by"] == "dr.lee"


def test_an_acne_self_report_is_the_patients_whatever_was_sent(
    client: TestClient, clinic: Clinic
) -> None:
    grade = {"id": "acne-1", "type": "acne_assessment", "date": DAY, "grade": 2,
             "assessed_by": "prescriber"}  # fmt: skip
    sent = _post_event(client, clinic, "maya", "demo-02", grade)
    assert sent.status_code == 201, sent.text
    assert sent.json()["event"]["assessed_by"] == "patient"
    by_nurse = _post_event(client, clinic, "nurse.kim", "demo-02",
                           {**grade, "id": "acne-2", "assessed_by": "patient"})  # fmt: skip
    assert by_nurse.json()["event"]["assessed_by"] == "prescriber"


def test_a_pregnancy_stops_the_course_and_opens_the_exposure_record(
    client: TestClient, clinic: Clinic
) -> None:
    url = f"/api/v1/courses/{_course(clinic, 'demo-02')}/pregnancy-exposure"
    assert client.get(url, headers=clinic.auth("dr.lee")).json()["pregnancy_exposure"] is None
    reported = {"id": "preg-1", "type": "pregnancy_reported", "date": DAY}
    assert _post_event(client, clinic, "nurse.kim", "demo-02", reported).status_code == 201
    record = client.get(url, headers=clinic.auth("dr.lee")).json()["pregnancy_exposure"]
    assert record["event_id"] == "preg-1" and record["follow_up_open"] is True
    assert any("MedWatch" in task["report_to"] for task in record["reporting"])
    held = _decide(client, clinic)
    assert held["authorized"] is False and held["course_status"] == "stopped: pregnancy"
    outcome = {"id": "out-1", "type": "pregnancy_outcome", "date": DAY, "outcome": "miscarriage"}
    assert _post_event(client, clinic, "nurse.kim", "demo-02", outcome).status_code == 201
    closed = client.get(url, headers=clinic.auth("dr.lee")).json()["pregnancy_exposure"]
    assert closed["follow_up_open"] is False and closed["outcome"] == "miscarriage"


def test_no_prescription_is_signed_in_a_course_stopped_by_a_pregnancy(
    client: TestClient, clinic: Clinic
) -> None:
    # Decision 21: a pregnancy hold is lifted by no review, so a reason cannot sign past it.
    reported = {"id": "preg-2", "type": "pregnancy_reported", "date": DAY}
    assert _post_event(client, clinic, "dr.lee", "demo-02", reported).status_code == 201
    alert_id = client.get(
        f"/api/v1/courses/{_course(clinic, 'demo-02')}/alerts", headers=clinic.auth("dr.lee")
    ).json()["clinical_holds"][0]["alert_id"]
    review = {"alert_id": alert_id, "outcome": "continue", "note": "Wants to go on.", "date": DAY}
    refused = _sign(client, clinic, "dr.lee", {"prescription": RX, "reviews": [review],
                                                "confirm_warnings": True})  # fmt: skip
    assert refused.status_code == 422
    assert refused.json()["errors"][0] == {**refused.json()["errors"][0], "field": "course",
                                           "value": "stopped: pregnancy"}  # fmt: skip


def test_an_item9_answer_stays_open_with_the_crisis_lines_of_the_policys_market(
    client: TestClient, clinic: Clinic
) -> None:
    # Maya (us-ipledge-2026) answers item 9 "several days" (mon-kroenke-2001): the US lines.
    screen = {"id": "phq-1", "type": "mood_screen", "date": DAY,
              "item_scores": [0, 0, 0, 0, 0, 0, 0, 0, 1]}  # fmt: skip
    assert _post_event(client, clinic, "maya", "demo-02", screen).status_code == 201
    alerts = client.get(
        f"/api/v1/courses/{_course(clinic, 'demo-02')}/alerts", headers=clinic.auth("maya")
    ).json()
    assert alerts["crisis_guidance"]["market"] == "us"
    assert any("988" in line["contact"] for line in alerts["crisis_guidance"]["crisis_lines"])
    assert [a["state"] for a in alerts["alerts"]] == ["open"]
