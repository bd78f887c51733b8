"""Slow-response and relapse factors (seed-004 and cited cohorts) found from the timeline and the
patient's age, with actions; and patient education chosen for the patient's situation."""

from __future__ import annotations

import datetime as dt

import pytest
from monitoring_cases import START, day, started

from isotrack.engines.monitoring import evaluate_monitoring
from isotrack.knowledge import Knowledge


def factors(knowledge: Knowledge, *events: dict[str, object], **patient: object) -> dict[str, str]:
    report = evaluate_monitoring(knowledge, started(*events, **patient), START)
    return {f.id: f.found_from for f in report.risk_factors}


def condition(event_id: str, term: str) -> dict[str, object]:
    return {"id": event_id, "type": "condition", "date": day(-10), "term": term}


def test_slow_response_factors_from_conditions_and_medicines(knowledge: Knowledge) -> None:
    events: list[dict[str, object]] = [
        condition("c1", "macrocomedones"),
        condition("c2", "Polycystic ovary syndrome"),
        condition("c3", "current smoker"),
        condition("c4", "staphylococcal superinfection"),
        {"id": "m1", "type": "medication", "date": day(-10), "name": "testosterone"},
    ]
    report = evaluate_monitoring(knowledge, started(*events), START)
    found = {f.id: f for f in report.risk_factors}
    assert {"macrocomedones", "pcos", "smoking", "staphylococcal_superinfection",
            "androgen_supplements"} <= set(found)  # fmt: skip
    assert all("slow_response" in f.kinds for f in found.values())
    assert "NOT a tetracycline" in found["staphylococcal_superinfection"].action
    assert found["pcos"].event_ids == ["c2"]
    assert "seed-004" in found["smoking"].source_ids


def test_relapse_factors_from_the_history(knowledge: Knowledge) -> None:
    events = [
        condition("c1", "family history of acne"),
        condition("c2", "truncal acne"),
        condition("c3", "prepubertal acne"),
        condition("c4", "acne conglobata"),
    ]
    found = factors(knowledge, *events)
    assert {"family_history", "face_and_trunk", "prepubertal_onset", "severe_nodulocystic"} <= set(
        found
    )


@pytest.mark.parametrize(
    ("birth_date", "young"),
    [("2010-01-06", True), ("2010-01-05", False)],  # 15 vs exactly 16 on 5 Jan 2026
)
def test_starting_before_16_is_a_relapse_factor_azoulay_2007(
    knowledge: Knowledge, birth_date: str, young: bool
) -> None:
    assert ("young_age_at_start" in factors(knowledge, birth_date=birth_date)) is young


@pytest.mark.parametrize(
    ("birth_date", "sex", "late"),
    [
        ("2000-01-04", "female", True),  # 26 at the first dose
        ("2001-01-05", "female", False),  # exactly 25
        ("2000-01-04", "male", False),
    ],
)
def test_late_acne_in_a_woman_over_25_is_a_relapse_factor(
    knowledge: Knowledge, birth_date: str, sex: str, late: bool
) -> None:
    found = factors(knowledge, birth_date=birth_date, sex_at_birth=sex)
    assert ("late_acne_in_women" in found) is late


def test_no_score_is_invented(knowledge: Knowledge) -> None:
    report = evaluate_monitoring(knowledge, started(condition("c1", "PCOS")), START)
    assert not any("score" in name for name in type(report.risk_factors[0]).model_fields)


def test_education_for_a_patient_who_can_get_pregnant_leads_with_pregnancy_facts(
    knowledge: Knowledge,
) -> None:
    report = evaluate_monitoring(knowledge, started(can_get_pregnant=True), START)
    topics = [item.topic for item in report.education]
    assert topics[0] in {"pregnancy", "contraception", "fertility"}
    audiences = {a for m in knowledge.myths.values() for a in m.audience}
    assert "can_get_pregnant" in audiences
    chosen = {item.myth_id for item in report.education}
    pregnancy_only = {m.id for m in knowledge.myths.values() if m.audience == ["can_get_pregnant"]}
    assert pregnancy_only <= chosen


def test_education_never_shows_prescriber_only_or_other_category_material(
    knowledge: Knowledge,
) -> None:
    report = evaluate_monitoring(knowledge, started(can_get_pregnant=False), START)
    by_id = knowledge.myths
    for item in report.education:
        audience = set(by_id[item.myth_id].audience)
        assert audience & {"everyone", "cannot_get_pregnant"}, item.myth_id


def test_a_mood_alert_brings_mood_facts_to_the_front(knowledge: Knowledge) -> None:
    screen = {
        "id": "m1",
        "type": "mood_screen",
        "date": day(1),
        "item_scores": [2, 2, 2, 2, 2, 0, 0, 0, 0],
    }
    report = evaluate_monitoring(knowledge, started(screen), START + dt.timedelta(days=2))
    assert report.education[0].topic == "mood"
    assert "concerns this patient now" in report.education[0].reason
