"""Reported adverse events: red flags are critical with a stop action; expected effects get
management advice; a term outside the catalogue is a warning, never ignored."""

from __future__ import annotations

import datetime as dt

import pytest
from monitoring_cases import START, day, only, started

from isotrack.engines.monitoring import Alert, evaluate_monitoring
from isotrack.knowledge import Knowledge


def reported(knowledge: Knowledge, term: str, severity: int = 2) -> Alert:
    event = {
        "id": "ae1",
        "type": "adverse_event",
        "date": day(20),
        "term": term,
        "severity": severity,
    }
    report = evaluate_monitoring(knowledge, started(event), START + dt.timedelta(days=21))
    [alert] = [a for a in report.alerts if a.topic == "adverse_event"]
    return alert


@pytest.mark.parametrize(
    ("term", "source"),
    [
        ("severe headache with visual change", "us-acc"),  # pseudotumour cerebri
        ("Severe abdominal pain", "opel"),  # pancreatitis
        ("rectal bleeding", "us-plr-w"),
        ("severe diarrhoea", "us-plr-w"),
        ("hearing loss", "us-plr-w"),
        ("vision loss", "us-plr-w"),
        ("blistering rash", "skyscape-drug-guide"),
        ("suicidal thoughts", "us-plr"),
    ],
)
def test_red_flags_are_critical_and_say_stop(knowledge: Knowledge, term: str, source: str) -> None:
    alert = reported(knowledge, term, severity=1)  # a red flag at any reported grade
    assert (alert.code, alert.severity.value) == ("ADVERSE_RED_FLAG", "critical")
    assert "Stop isotretinoin" in alert.action
    assert source in alert.source_ids
    assert alert.event_ids == ["ae1"]


def test_dry_lips_get_advice_not_an_alarm(knowledge: Knowledge) -> None:
    alert = reported(knowledge, "dry lips", severity=1)
    assert (alert.code, alert.severity.value) == ("ADVERSE_EFFECT", "info")
    assert "lip balm" in alert.action
    assert "90%" in alert.message


def test_retinoid_dermatitis_advice_starts_emollients_from_day_one(knowledge: Knowledge) -> None:
    alert = reported(knowledge, "Retinoid dermatitis")
    assert "first day" in alert.action and "seed-004" in alert.source_ids


def test_early_flare_is_treated_topically_not_with_a_dose_cut(knowledge: Knowledge) -> None:
    alert = reported(knowledge, "acne flare")
    assert "topical" in alert.action and "not a reason to cut the dose" in alert.action
    assert "6-8 weeks" in alert.message


@pytest.mark.parametrize(("grade", "severity"), [(2, "info"), (3, "warning"), (4, "warning")])
def test_an_expected_effect_of_ctcae_grade_3_or_worse_is_a_warning(
    knowledge: Knowledge, grade: int, severity: str
) -> None:
    alert = reported(knowledge, "joint pain", severity=grade)
    assert alert.severity.value == severity


def test_low_mood_is_always_a_warning_with_a_phq9_action(knowledge: Knowledge) -> None:
    alert = reported(knowledge, "low mood", severity=1)
    assert alert.severity.value == "warning" and "PHQ-9" in alert.action


def test_an_unknown_term_is_reported_as_unknown(knowledge: Knowledge) -> None:
    alert = reported(knowledge, "purple toenails")
    assert (alert.code, alert.severity.value) == ("ADVERSE_TERM_UNKNOWN", "warning")
    assert "purple toenails" in alert.message


def test_red_flags_sort_before_advice(knowledge: Knowledge) -> None:
    events = [
        {"id": "a", "type": "adverse_event", "date": day(5), "term": "dry skin", "severity": 1},
        {"id": "b", "type": "adverse_event", "date": day(6), "term": "tinnitus", "severity": 1},
    ]
    report = evaluate_monitoring(knowledge, started(*events), START + dt.timedelta(days=7))
    assert report.alerts[0].code == "ADVERSE_RED_FLAG"
    assert only(report.alerts, "ADVERSE_EFFECT").event_ids == ["a"]
