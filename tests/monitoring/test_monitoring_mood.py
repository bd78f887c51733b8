"""PHQ-9 scoring and alerts (Kroenke 2001 bands; item 9; 5-point rise, Löwe 2004), overdue
screens, and the follow-up of a concern recorded at an assessment (MHRA 2023).

Whether a UK assessment is missing is a programme requirement, tested in tests/programme."""

from __future__ import annotations

import datetime as dt

import pytest
from monitoring_cases import START, codes, day, only, started

from isotrack.engines.monitoring import Alert, MonitoringReport, evaluate_monitoring
from isotrack.knowledge import Knowledge
from timeline_cases import event


def phq9(event_id: str, offset: int, items: list[int]) -> dict[str, object]:
    return event(event_id, "mood_screen", day(offset), item_scores=items)


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
    report = evaluate(knowledge, event("end", "course_end", day(10)), offset=90)
    assert "MOOD_SCREEN_OVERDUE" not in codes(report.alerts)


def assessment(event_id: str, offset: int, kind: str, **extra: object) -> dict[str, object]:
    return event(event_id, "assessment", day(offset), kind=kind, **extra)


def test_a_concern_in_the_latest_assessment_is_a_warning(knowledge: Knowledge) -> None:
    events = [
        assessment("mh0", -1, "mental_health"),
        assessment("sf0", -1, "sexual_function", concern=True, outcome="reduced libido"),
    ]
    concern = only(evaluate(knowledge, *events, policy="test-uk").alerts, "ASSESSMENT_CONCERN")
    assert "reduced libido" in concern.message and concern.event_ids == ["sf0"]
    assert concern.severity.value == "warning" and "prog-mhra-dsu-2023" in concern.source_ids


def test_a_concern_answered_by_a_later_clear_assessment_is_not_flagged(
    knowledge: Knowledge,
) -> None:
    # Only the latest assessment of a kind counts: mh0 noted a concern, mh1 a month later did not.
    events = [
        assessment("mh0", -1, "mental_health", concern=True, outcome="low mood"),
        assessment("mh1", 29, "mental_health", concern=False),
    ]
    report = evaluate(knowledge, *events, policy="test-uk")
    assert "ASSESSMENT_CONCERN" not in codes(report.alerts)
