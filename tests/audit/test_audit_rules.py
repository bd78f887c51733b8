"""Each audit rule, once broken and once kept, on courses the engines judge.

Every finding names the programme rule and sources that the engine or the audit fact cites.
"""

from __future__ import annotations

import pytest
from audit_cases import audit, compliant_course, drop, event, rules_found

from isotrack.audit.synth import POLICIES
from isotrack.knowledge import Knowledge


@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize("can_get_pregnant", [True, False])
def test_a_course_that_keeps_every_rule_has_no_findings(
    knowledge: Knowledge, policy: str, can_get_pregnant: bool
) -> None:
    result = audit(knowledge, compliant_course(policy, can_get_pregnant=can_get_pregnant))
    assert result.findings == []
    assert result.dispenses == 4


def test_a_fill_without_its_monthly_pregnancy_test_was_not_authorized(
    knowledge: Knowledge,
) -> None:
    # iPLEDGE: the third fill was handed over although no test was taken in that cycle.
    course = compliant_course("us-ipledge-2026", can_get_pregnant=True)
    drop(course, "pt2")
    result = audit(knowledge, course)
    found = [f for f in result.findings if f.event_id == "disp2"]
    assert {f.rule_id for f in found} >= {"unauthorized_dispense.test.prescription"}
    assert all(f.rule_id.startswith("unauthorized_dispense.") for f in result.findings)
    assert all(f.severity == "critical" and f.source_ids for f in found)


def test_a_fill_during_a_contraception_gap_was_not_authorized(knowledge: Knowledge) -> None:
    # EU PPP: four days with no method recorded just before the second prescription.
    course = compliant_course("eu-ppp-2018", can_get_pregnant=True)
    rx = course["events"].index(event(course, "rx1"))
    gap_day, back_day = "2025-03-28", "2025-04-01"
    course["events"][rx:rx] = [
        {"id": "c-gap", "type": "contraception", "date": gap_day, "methods": []},
        {
            "id": "c-back",
            "type": "contraception",
            "date": back_day,
            "methods": ["combined_oral_contraceptive", "male_condom"],
        },
    ]
    course["events"].sort(key=lambda e: e["date"])
    assert rules_found(audit(knowledge, course)) == {
        ("unauthorized_dispense.contraception", "disp1")
    }


def test_the_same_prescription_filled_twice_is_a_double_dispense(knowledge: Knowledge) -> None:
    course = compliant_course("uk-mhra-2023", can_get_pregnant=True)
    at = course["events"].index(event(course, "disp1"))
    course["events"].insert(
        at + 1,
        {
            "id": "disp1-again",
            "type": "dispense",
            "date": "2025-04-03",
            "prescription_id": "rx1",
            "days_supply": 30,
        },
    )
    result = audit(knowledge, course)
    assert rules_found(result) == {("double_dispense", "disp1-again")}
    assert "disp1" in result.findings[0].message


def test_more_than_thirty_days_handed_over_is_supply_over_the_limit(knowledge: Knowledge) -> None:
    # programme.max_days_supply: at most 30 days per fill under iPLEDGE, for every patient.
    course = compliant_course("us-ipledge-2023", can_get_pregnant=False)
    event(course, "disp2")["days_supply"] = 35
    result = audit(knowledge, course)
    assert rules_found(result) == {("supply_over_limit", "disp2")}
    assert "prog-medline-monograph" in result.findings[0].source_ids


def test_eu_patient_who_cannot_get_pregnant_has_no_supply_limit(knowledge: Knowledge) -> None:
    course = compliant_course("eu-ppp-2018", can_get_pregnant=False)
    event(course, "disp2")["days_supply"] = 35
    assert audit(knowledge, course).findings == []


def test_no_post_treatment_test_is_reported_missing(knowledge: Knowledge) -> None:
    course = compliant_course("us-ipledge-2026", can_get_pregnant=True)
    drop(course, "pt-post")
    assert rules_found(audit(knowledge, course)) == {("post_treatment_test.missing", "end")}


def test_a_post_treatment_test_weeks_after_it_was_due_is_late(knowledge: Knowledge) -> None:
    # audit.post_treatment_test_late_days (decision 34): more than 14 days after the due date.
    course = compliant_course("eu-ppp-2018", can_get_pregnant=True)
    event(course, "pt-post")["date"] = "2025-08-19"
    result = audit(knowledge, course)
    assert rules_found(result) == {("post_treatment_test.late", "pt-post")}
    assert "isotrack-decisions" in result.findings[0].source_ids


def test_a_post_treatment_test_a_few_days_after_due_is_not_late(knowledge: Knowledge) -> None:
    course = compliant_course("eu-ppp-2018", can_get_pregnant=True)
    event(course, "pt-post")["date"] = "2025-08-10"
    assert audit(knowledge, course).findings == []


def test_a_positive_test_after_the_last_dose_unreported_is_an_open_exposure(
    knowledge: Knowledge,
) -> None:
    course = compliant_course("uk-mhra-2023", can_get_pregnant=True)
    course["events"].append(
        {
            "id": "pt-pos",
            "type": "pregnancy_test",
            "date": "2025-06-10",
            "result": "positive",
            "kind": "urine",
            "setting": "medical",
            "sensitivity_miu_per_ml": 25,
        }
    )
    assert rules_found(audit(knowledge, course)) == {
        ("pregnancy.exposure", "pt-pos"),
        ("pregnancy.exposure_not_reported", "pt-pos"),
    }


def test_an_exposure_reported_in_time_is_counted_but_complete(knowledge: Knowledge) -> None:
    course = compliant_course("uk-mhra-2023", can_get_pregnant=True)
    course["events"] += [
        {
            "id": "pt-pos",
            "type": "pregnancy_test",
            "date": "2025-06-10",
            "result": "positive",
            "kind": "urine",
            "setting": "medical",
            "sensitivity_miu_per_ml": 25,
        },
        {"id": "preg", "type": "pregnancy_reported", "date": "2025-06-12"},
    ]
    assert rules_found(audit(knowledge, course)) == {("pregnancy.exposure", "pt-pos")}


def test_baseline_labs_never_drawn_are_overdue_at_the_next_fill(knowledge: Knowledge) -> None:
    course = compliant_course("us-ipledge-2023", can_get_pregnant=False)
    drop(course, *[e["id"] for e in course["events"] if e["id"].startswith("lab0-")])
    found = rules_found(audit(knowledge, course))
    assert ("monitoring.lab_overdue", "disp1") in found
    assert {rule for rule, _ in found} == {"monitoring.lab_overdue"}


def test_no_mood_screen_during_treatment_is_overdue(knowledge: Knowledge) -> None:
    course = compliant_course("eu-ppp-2018", can_get_pregnant=False)
    drop(course, *[e["id"] for e in course["events"] if e["id"].startswith("mood")])
    found = rules_found(audit(knowledge, course))
    assert ("monitoring.mood_screen_overdue", "disp1") in found
    assert {rule for rule, _ in found} == {"monitoring.mood_screen_overdue"}


def test_a_voided_fill_is_not_audited(knowledge: Knowledge) -> None:
    # A fill entered twice by mistake and voided is not a double dispense.
    course = compliant_course("us-ipledge-2026", can_get_pregnant=True)
    at = course["events"].index(event(course, "disp1"))
    course["events"][at + 1 : at + 1] = [
        {
            "id": "disp1-typo",
            "type": "dispense",
            "date": "2025-04-02",
            "prescription_id": "rx1",
            "days_supply": 30,
        },
        {
            "id": "void1",
            "type": "void",
            "date": "2025-04-02",
            "target_id": "disp1-typo",
            "reason": "entered twice",
        },
    ]
    assert audit(knowledge, course).findings == []


def test_uk_fill_without_its_monthly_pregnancy_test_was_not_authorized(
    knowledge: Knowledge,
) -> None:
    # MHRA PPP: a test every month during treatment (UK-PT-03, decision 25).
    course = compliant_course("uk-mhra-2023", can_get_pregnant=True)
    drop(course, "pt2")
    result = audit(knowledge, course)
    found = [f for f in result.findings if f.event_id == "disp2"]
    assert found and all(f.rule_id.startswith("unauthorized_dispense.test") for f in found)
    assert all(f.rule_id.startswith("unauthorized_dispense.") for f in result.findings)
    assert all(f.severity == "critical" and f.source_ids for f in found)
