"""PHQ-9 scoring and alerts (Kroenke 2001 bands; item 9; 5-point rise, Löwe 2004), overdue
screens, and the UK mental-health and sexual-function assessments (MHRA 2023)."""

from __future__ import annotations

import datetime as dt

import pytest
from monitoring_cases import START, codes, course, day, only, started

from isotrack.engines.monitoring import Alert, MonitoringReport, evaluate_monitoring
from isotrack.knowledge import Knowledge


def phq9(event_id: str, offset: int, items: list[int]) -> dict[str, object]:
    return {"id": event_id, "type": "mood_screen", "date": day(offset), "item_scores": items}


def scoring(total: int, item9: int = 0) -> list[int]:
    """Nine answers adding up to ``total`` with item 9 = ``item9``, filling items 1-8 in order."""
    rest = total - item9
    items = []
    for _ in range(8):
        answer = min(3, rest)
        items.append(answer)
        rest -= answer
    assert rest == 0
    return [*items, item9]


def evaluate(
    knowledge: Knowledge, *events: dict[str, object], offset: int = 30, **kw: object
) -> MonitoringReport:
    return evaluate_monitoring(knowledge, started(*events, **kw), START + dt.timedelta(days=offset))


def mood(report: MonitoringReport) -> list[Alert]:
    return [a for a in report.alerts if a.topic == "mood"]


def test_item_9_answered_1_with_a_total_of_3_is_critical(knowledge: Knowledge) -> None:
    # 1 + 1 + 0 + 0 + 0 + 0 + 0 + 0 + 1 = 3: "minimal" by total, but item 9 is not zero
    report = evaluate(knowledge, phq9("m1", 28, [1, 1, 0, 0, 0, 0, 0, 0, 1]))
    alert = only(report.alerts, "MOOD_SUICIDAL_IDEATION")
    assert alert.severity.value == "critical"
    assert "stop isotretinoin" in alert.action
    assert alert.event_ids == ["m1"]
    assert report.alerts[0].severity.value == "critical"
    assert report.mood.latest_total == 3 and report.mood.latest_band == "minimal"
    assert report.mood.item9_score == 1


def test_item_9_at_zero_gives_no_suicidality_alert(knowledge: Knowledge) -> None:
    report = evaluate(knowledge, phq9("m1", 28, scoring(3)))
    assert "MOOD_SUICIDAL_IDEATION" not in codes(report.alerts)


@pytest.mark.parametrize(
    ("total", "expected"),
    [
        (4, None),
        (5, ("MOOD_PHQ9_MILD", "info")),
        (9, ("MOOD_PHQ9_MILD", "info")),
        (10, ("MOOD_PHQ9_MODERATE", "warning")),
        (14, ("MOOD_PHQ9_MODERATE", "warning")),
        (15, ("MOOD_PHQ9_MODERATELY_SEVERE", "warning")),
        (19, ("MOOD_PHQ9_MODERATELY_SEVERE", "warning")),
        (20, ("MOOD_PHQ9_SEVERE", "critical")),
        (24, ("MOOD_PHQ9_SEVERE", "critical")),
    ],
)
def test_phq9_severity_bands_kroenke_2001(
    knowledge: Knowledge, total: int, expected: tuple[str, str] | None
) -> None:
    report = evaluate(knowledge, phq9("m1", 28, scoring(total)))
    found = [(a.code, a.severity.value) for a in mood(report) if a.code.startswith("MOOD_PHQ9")]
    assert found == ([expected] if expected else [])


@pytest.mark.parametrize(("later_total", "flagged"), [(6, False), (7, True), (8, True)])
def test_a_rise_of_5_points_from_baseline_is_a_warning(
    knowledge: Knowledge, later_total: int, flagged: bool
) -> None:
    # baseline 2 before the first dose; later 6 (+4), 7 (+5), 8 (+6)
    report = evaluate(knowledge, phq9("m0", -2, scoring(2)), phq9("m1", 28, scoring(later_total)))
    assert ("MOOD_PHQ9_RISE" in codes(report.alerts)) is flagged
    assert report.mood.change_from_baseline == later_total - 2
    if flagged:
        rise = only(report.alerts, "MOOD_PHQ9_RISE")
        assert rise.severity.value == "warning" and rise.event_ids == ["m0", "m1"]
        assert "mon-lowe-2004" in rise.source_ids


@pytest.mark.parametrize(("offset", "overdue"), [(35, False), (36, True)])
def test_a_screen_is_overdue_a_month_and_a_week_after_the_last(
    knowledge: Knowledge, offset: int, overdue: bool
) -> None:
    # last screen day -2; 1 month = 30 days -> due day 28; overdue after day 28 + 7 = 35
    report = evaluate(knowledge, phq9("m0", -2, scoring(1)), offset=offset)
    assert ("MOOD_SCREEN_OVERDUE" in codes(report.alerts)) is overdue
    assert report.mood.next_due == START + dt.timedelta(days=28)


def test_no_screen_since_the_first_dose_is_overdue_after_a_week(knowledge: Knowledge) -> None:
    assert "MOOD_SCREEN_OVERDUE" not in codes(evaluate(knowledge, offset=7).alerts)
    assert "MOOD_SCREEN_OVERDUE" in codes(evaluate(knowledge, offset=8).alerts)


def test_no_screen_is_due_after_the_last_dose(knowledge: Knowledge) -> None:
    report = evaluate(knowledge, {"id": "end", "type": "course_end", "date": day(10)}, offset=90)
    assert "MOOD_SCREEN_OVERDUE" not in codes(report.alerts)


def assessment(event_id: str, offset: int, kind: str, **extra: object) -> dict[str, object]:
    return {"id": event_id, "type": "assessment", "date": day(offset), "kind": kind, **extra}


def visit(event_id: str, offset: int) -> dict[str, object]:
    return {"id": event_id, "type": "visit", "date": day(offset)}


def uk_alerts(report: MonitoringReport) -> list[Alert]:
    return [a for a in report.alerts if a.code == "UK_ASSESSMENT_MISSING"]


def test_uk_policy_requires_both_assessments_before_the_first_dose(knowledge: Knowledge) -> None:
    report = evaluate(knowledge, policy="uk-mhra-2023", offset=3)
    missing = uk_alerts(report)
    assert len(missing) == 2
    assert {"mental health", "sexual function"} == {
        kind for kind in ("mental health", "sexual function") for a in missing if kind in a.message
    }
    assert all("prog-mhra-dsu-2023" in a.source_ids for a in missing)


def test_uk_assessments_at_start_and_at_each_follow_up_visit(knowledge: Knowledge) -> None:
    at_start = [assessment("mh0", -1, "mental_health"), assessment("sf0", -1, "sexual_function")]
    at_visit = [assessment("mh1", 30, "mental_health"), assessment("sf1", 30, "sexual_function")]
    done = evaluate(knowledge, *at_start, visit("v1", 30), *at_visit, policy="uk-mhra-2023")
    assert uk_alerts(done) == []
    skipped = evaluate(knowledge, *at_start, visit("v1", 30), policy="uk-mhra-2023")
    assert [a.event_ids for a in uk_alerts(skipped)] == [["v1"], ["v1"]]


def test_before_the_course_the_uk_assessments_are_only_due(knowledge: Knowledge) -> None:
    report = evaluate_monitoring(knowledge, course(policy="uk-mhra-2023"), dt.date(2026, 1, 2))
    assert [a.severity.value for a in uk_alerts(report)] == ["info", "info"]


def test_other_policies_do_not_ask_for_the_uk_assessments(knowledge: Knowledge) -> None:
    assert uk_alerts(evaluate(knowledge, policy="test-eu")) == []


def test_a_concern_in_the_latest_assessment_is_a_warning(knowledge: Knowledge) -> None:
    events = [
        assessment("mh0", -1, "mental_health"),
        assessment("sf0", -1, "sexual_function", concern=True, outcome="reduced libido"),
    ]
    concern = only(evaluate(knowledge, *events, policy="uk-mhra-2023").alerts, "ASSESSMENT_CONCERN")
    assert "reduced libido" in concern.message and concern.event_ids == ["sf0"]
