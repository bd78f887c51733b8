"""The pregnancy exposure record, the patient's crisis guidance, and order-entry checks."""

from __future__ import annotations

import datetime as dt

from isotrack.domain.events import AlertReviewed, PrescriptionWritten
from isotrack.engines.holds import mood_crisis_guidance, pregnancy_exposure
from isotrack.engines.monitoring import evaluate_monitoring
from isotrack.engines.prescribing import check_prescription
from isotrack.knowledge import Knowledge

from .conftest import DISPENSE_DAY, course, lab, phq9, review

REPORTED = {"id": "preg", "type": "pregnancy_reported", "date": "2024-04-20",
            "last_menstrual_period": "2024-03-25"}  # fmt: skip
DISPENSED = {"id": "disp3", "type": "dispense", "date": "2024-04-07", "prescription_id": "rx3",
             "days_supply": 30}  # fmt: skip


def test_no_pregnancy_no_exposure_record(knowledge: Knowledge) -> None:
    assert pregnancy_exposure(knowledge, course(), DISPENSE_DAY) is None


def test_the_exposure_record_dates_conception_from_the_lmp(knowledge: Knowledge) -> None:
    exposure = pregnancy_exposure(knowledge, course(DISPENSED, REPORTED), dt.date(2024, 4, 22))
    assert exposure is not None
    # No course_end recorded: the patient is taken to have dosed until the pregnancy was known.
    assert exposure.last_dose_date == dt.date(2024, 4, 20)
    # pregnancy.conception_days_after_lmp = 14 days (saf-acog-700)
    assert exposure.estimated_conception_date == dt.date(2024, 4, 8)
    assert exposure.gestational_age_at_last_dose_days == 26
    assert exposure.gestational_age_at_last_dose == "3 weeks 5 days"
    assert exposure.exposed_after_conception is True
    assert exposure.dating_source_ids == ["saf-acog-700"]
    assert exposure.cumulative_mg is not None and exposure.cumulative_mg > 0
    assert [t.report_to for t in exposure.reporting] == [
        "the iPLEDGE pregnancy registry",
        "the FDA (MedWatch)",
    ]
    assert "teratology" in exposure.referral
    assert exposure.follow_up_open
    assert exposure.follow_up_tasks[-1].startswith("Record the outcome")


def test_without_an_lmp_conception_and_gestational_age_stay_unknown(knowledge: Knowledge) -> None:
    positive = {"id": "pos", "type": "pregnancy_test", "date": "2024-04-20",
                "result": "positive", "kind": "serum", "setting": "laboratory"}  # fmt: skip
    exposure = pregnancy_exposure(knowledge, course(DISPENSED, positive), dt.date(2024, 4, 22))
    assert exposure is not None and exposure.detected_by == "positive pregnancy test"
    assert exposure.estimated_conception_date is None
    assert exposure.gestational_age_at_last_dose is None


def test_uk_and_eu_reporting_duties_follow_the_policy(knowledge: Knowledge) -> None:
    uk = pregnancy_exposure(
        knowledge, course(REPORTED, policy="uk-mhra-2023"), dt.date(2024, 4, 22)
    )
    eu = pregnancy_exposure(knowledge, course(REPORTED, policy="eu-ppp-2018"), dt.date(2024, 4, 22))
    assert uk is not None and eu is not None
    assert [t.report_to for t in uk.reporting] == [
        "the marketing authorisation holder of the product",
        "the MHRA (Yellow Card)",
    ]
    assert "the national competent authority" in [t.report_to for t in eu.reporting]


def test_the_outcome_closes_the_follow_up(knowledge: Knowledge) -> None:
    outcome = {"id": "out", "type": "pregnancy_outcome", "date": "2024-06-01",
               "outcome": "miscarriage"}  # fmt: skip
    exposure = pregnancy_exposure(knowledge, course(REPORTED, outcome), dt.date(2024, 6, 2))
    assert exposure is not None and not exposure.follow_up_open
    assert exposure.outcome == "miscarriage"


def test_an_item_9_answer_gives_the_patient_crisis_lines_first_and_no_mood_myths(
    knowledge: Knowledge,
) -> None:
    timeline = course(phq9("m1", "2024-04-04", [1, 1, 0, 0, 0, 0, 0, 0, 2]))
    guidance = mood_crisis_guidance(knowledge, timeline, DISPENSE_DAY)
    assert guidance is not None and guidance.market == "us"
    assert "Call or text 988" in [line.contact for line in guidance.crisis_lines]
    assert any("care team today" in step for step in guidance.steps)
    assert any("Stop taking your isotretinoin" in step for step in guidance.steps)
    uk = mood_crisis_guidance(knowledge, timeline, DISPENSE_DAY, market="uk")
    assert uk is not None
    assert {"Call 116 123", "Call 111"} <= {line.contact for line in uk.crisis_lines}
    monitoring = evaluate_monitoring(knowledge, timeline, DISPENSE_DAY)
    assert "mood" not in {item.topic for item in monitoring.education}
    calm = evaluate_monitoring(knowledge, course(), DISPENSE_DAY)
    assert "mood" in {item.topic for item in calm.education}


def test_after_a_prescriber_review_the_crisis_guidance_is_no_longer_shown(
    knowledge: Knowledge,
) -> None:
    timeline = course(
        phq9("m1", "2024-04-04", [1, 1, 0, 0, 0, 0, 0, 0, 2]),
        review("rv1", "2024-04-05", "MOOD_SUICIDAL_IDEATION:m1", "continue", "safety plan"),
    )
    assert mood_crisis_guidance(knowledge, timeline, DISPENSE_DAY) is None


def _draft(**fields: object) -> PrescriptionWritten:
    values: dict[str, object] = {"id": "rx9", "date": dt.date(2024, 4, 5), "product": "claravis",
                                 "daily_dose_mg": 40, "days_supply": 30}  # fmt: skip
    values.update(fields)
    return PrescriptionWritten.model_validate(values)


def test_order_entry_refuses_fields_the_policy_forbids(knowledge: Knowledge) -> None:
    timeline = course(drop={"rx3", "cc3"})
    today = dt.date(2024, 4, 5)
    check = check_prescription(
        knowledge, timeline, _draft(days_supply=45, refills=1, date=dt.date(2024, 4, 9)), today
    )
    assert not check.accepted
    assert {e.field for e in check.field_errors} == {"days_supply", "refills", "date"}
    unknown = check_prescription(knowledge, timeline, _draft(product="no-such-capsule"), today)
    assert [e.field for e in unknown.field_errors] == ["product"]


def test_order_entry_needs_a_review_for_each_open_hold(knowledge: Knowledge) -> None:
    timeline = course(lab("tg1", "2024-04-04", "triglycerides", 1200, "mg/dL"), drop={"rx3"})
    today = dt.date(2024, 4, 5)
    refused = check_prescription(knowledge, timeline, _draft(), today)
    assert not refused.accepted
    assert [h.alert_id for h in refused.requires_review] == ["TG_PANCREATITIS_RISK:tg1"]
    with_review = AlertReviewed(
        id="rv",
        date=today,
        alert_id="TG_PANCREATITIS_RISK:tg1",
        outcome="continue",
        note="repeat was 420 mg/dL fasting",
    )
    assert check_prescription(knowledge, timeline, _draft(), today, [with_review]).accepted


def test_order_entry_warns_about_dose_per_kg_and_inexact_doses(knowledge: Knowledge) -> None:
    weight = {"id": "w1", "type": "weight", "date": "2024-01-05", "weight_kg": 30}
    timeline = course(weight, drop={"rx3", "cc3"})
    today = dt.date(2024, 4, 5)
    high = check_prescription(knowledge, timeline, _draft(daily_dose_mg=70), today)
    assert [w.code for w in high.warnings if w.code.startswith("DOSE")] == ["DOSE_ABOVE_MAXIMUM"]
    assert next(
        w for w in high.warnings if w.code == "DOSE_ABOVE_MAXIMUM"
    ).needs_second_confirmation
    usual = check_prescription(knowledge, timeline, _draft(daily_dose_mg=35), today)
    assert "DOSE_ABOVE_USUAL" in [w.code for w in usual.warnings]
    odd = check_prescription(knowledge, timeline, _draft(daily_dose_mg=25), today)
    assert "DOSE_NOT_EXACT" in [w.code for w in odd.warnings] and odd.regimen
    blocked = check_prescription(knowledge, timeline, _draft(), today)
    assert "PROGRAMME_WILL_BLOCK" in [w.code for w in blocked.warnings]
