"""Plan to prescription (issue 17), through the service on SQLite and PostgreSQL.

Dr Lee plans Ana's course on Absorica at 60 kg: 0.5 mg/kg/day for 4 weeks, then 1 mg/kg/day,
to 120 mg/kg. She saves it to the course; the course's cumulative target follows the plan (the
policy's own target is a range). "Prescribe phase 1 for 30 days" gives the prescription fields.
A month later she raises the target to 150 mg/kg: without a reason the change is refused and
nothing is stored; with one it is saved and the earlier plan stays in the record.
"""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from service_clinic import TODAY, Clinic

from isotrack.domain.errors import ActionNotAllowed, IsotrackInputError
from isotrack.service import course_plans, courses, enrolment
from isotrack.service.context import Service
from isotrack.service.enrolment import NewPatient

PLAN = {
    "product": "absorica",
    "weight_kg": 60,
    "phases": [{"mg_per_kg_per_day": 0.5, "weeks": 4}, {"mg_per_kg_per_day": 1.0}],
    "target_mg_per_kg": 120,
}


def _ana(service: Service, clinic: Clinic) -> str:
    new = NewPatient(
        display_name="Ana Planned",
        birth_date=dt.date(1999, 4, 2),
        sex_at_birth="female",
        can_get_pregnant=True,
        policy="us-ipledge-2026",
    )
    done = enrolment.enrol_patient(service, clinic.users["dr.lee"], new, enrolled_on=TODAY)
    return done.course_id


def test_a_saved_plan_sets_the_course_target_and_fills_a_prescription(
    service: Service, clinic: Clinic
) -> None:
    course_id = _ana(service, clinic)
    lee = clinic.users["dr.lee"]
    _, before = courses.course_assessment(service, lee, course_id)
    assert before.dose.target is not None and before.dose.target.origin == "policy"

    course_plans.save_plan(service, lee, course_id, dict(PLAN))
    saved = course_plans.saved_plan(service, lee, course_id)
    assert saved is not None
    assert saved.event.date == TODAY and saved.event.recorded_by == "dr.lee"
    assert [p.requested_mg_per_kg_per_day for p in saved.plan.phases] == [0.5, 1.0]
    assert saved.plan.projected_end_date is not None

    _, after = courses.course_assessment(service, lee, course_id)
    target = after.dose.target
    assert target is not None and target.origin == "saved plan"
    assert target.low_mg_per_kg == target.high_mg_per_kg == 120

    first = course_plans.prescription_from_plan(service, lee, course_id, phase=1, days_supply=30)
    assert (first.product, first.daily_dose_mg, first.days_supply) == ("absorica", 30.0, 30)
    second = course_plans.prescription_from_plan(service, lee, course_id, phase=2, days_supply=30)
    assert second.daily_dose_mg == 60.0
    with pytest.raises(IsotrackInputError) as refused:
        course_plans.prescription_from_plan(service, lee, course_id, phase=3, days_supply=30)
    assert refused.value.problems[0].field == "phase"
    assert refused.value.problems[0].allowed == "1 to 2"


def test_changing_a_saved_plan_needs_a_reason_and_keeps_the_earlier_plan(
    service: Service, clinic: Clinic
) -> None:
    course_id = _ana(service, clinic)
    lee = clinic.users["dr.lee"]
    course_plans.save_plan(service, lee, course_id, dict(PLAN))
    version = courses.visible_course(service, lee, course_id).version

    with pytest.raises(IsotrackInputError) as refused:
        course_plans.save_plan(service, lee, course_id, {**PLAN, "target_mg_per_kg": 150})
    assert refused.value.problems[0].field == "reason"
    assert courses.visible_course(service, lee, course_id).version == version

    course_plans.save_plan(
        service, lee, course_id,
        {**PLAN, "target_mg_per_kg": 150, "reason": "relapse after her first course"},
    )  # fmt: skip
    saved = course_plans.saved_plan(service, lee, course_id)
    assert saved is not None
    assert saved.event.target_mg_per_kg == 150
    assert saved.event.reason == "relapse after her first course"
    assert [p.target_mg_per_kg for p in saved.earlier] == [120]


def test_a_plan_that_cannot_be_made_is_refused_by_field(service: Service, clinic: Clinic) -> None:
    course_id = _ana(service, clinic)
    lee = clinic.users["dr.lee"]
    with pytest.raises(IsotrackInputError) as unknown:
        course_plans.save_plan(service, lee, course_id, {**PLAN, "product": "aspirin"})
    assert unknown.value.problems[0].field == "product"
    with pytest.raises(IsotrackInputError) as extra:
        course_plans.save_plan(service, lee, course_id, {**PLAN, "colour": "blue"})
    assert extra.value.problems[0].field == "colour"
    with pytest.raises(IsotrackInputError):
        course_plans.save_plan(service, lee, course_id, {**PLAN, "weight_kg": -3})
    assert course_plans.saved_plan(service, lee, course_id) is None


def test_a_pharmacist_cannot_save_a_plan(service: Service, clinic: Clinic) -> None:
    course_id = _ana(service, clinic)
    with pytest.raises(ActionNotAllowed):
        course_plans.save_plan(service, clinic.users["pharmacist"], course_id, dict(PLAN))


def test_the_api_saves_reads_and_prescribes_from_a_plan(client: TestClient, clinic: Clinic) -> None:
    course = clinic.courses["demo-01"].id  # Jonas Berger, 62 kg, on Claravis
    headers = clinic.auth("dr.lee")
    phases = [{"mg_per_kg_per_day": 0.5, "weeks": 2}, {"mg_per_kg_per_day": 0.65}]
    body = {"product": "claravis", "weight_kg": 62, "target_mg_per_kg": 130, "phases": phases}
    saved = client.post(f"/api/v1/courses/{course}/plan", json=body, headers=headers)
    assert saved.status_code == 201, saved.text
    assert saved.json()["event"]["type"] == "course_plan"

    read = client.get(f"/api/v1/courses/{course}/plan", headers=headers).json()
    assert read["plan"]["target_mg_per_kg"] == 130
    assert read["projection"]["projected_end_date"]
    filled = client.get(
        f"/api/v1/courses/{course}/plan/prescription?phase=2&days_supply=30", headers=headers
    ).json()
    assert filled["product"] == "claravis" and filled["days_supply"] == 30

    changed = client.post(
        f"/api/v1/courses/{course}/plan", json={**body, "target_mg_per_kg": 150}, headers=headers
    )
    assert changed.status_code == 422
    assert [e["field"] for e in changed.json()["errors"]] == ["reason"]
    assert client.get(f"/api/v1/courses/{course}/plan", headers=headers).json()["earlier"] == []
