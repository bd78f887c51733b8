"""Labs due and overdue under each `lab_schedule` position.

Durations are converted with pint and rounded to whole days: 1 month = 30.44 -> 30 days,
2 months = 60.88 -> 61, 3 months = 91.31 -> 91, 4 weeks = 28. A fixed time point may be done
from 7 days before to 7 days after its due date (isotrack-decisions); the first dose is on
5 Jan 2026 (START).
"""

from __future__ import annotations

import datetime as dt

from monitoring_cases import START, codes, course, day, lab, started

from isotrack.engines.monitoring import LabDue, evaluate_monitoring
from isotrack.knowledge import Knowledge

EU_PANEL = ("alt", "ast", "tg", "cholesterol")


def panel(prefix: str, offset: int, tests: tuple[str, ...] = EU_PANEL) -> list[dict[str, object]]:
    values = {"alt": 20.0, "ast": 22.0, "tg": 110.0, "cholesterol": 180.0}
    units = {"alt": "U/L", "ast": "U/L", "tg": "mg/dL", "cholesterol": "mg/dL"}
    return [lab(f"{prefix}-{t}", offset, t, values[t], units[t]) for t in tests]


def due_items(
    knowledge: Knowledge, events: list[dict[str, object]], as_of_offset: int, policy: str
) -> tuple[list[LabDue], list[str]]:
    report = evaluate_monitoring(
        knowledge, started(*events, policy=policy), START + dt.timedelta(days=as_of_offset)
    )
    return report.labs_due, codes(report.alerts)


def test_eu_one_month_check_is_due_on_day_30_and_overdue_from_day_38(
    knowledge: Knowledge,
) -> None:
    baseline = panel("base", -3)
    items, alerts = due_items(knowledge, baseline, 37, "test-eu")  # 11 Feb: last day of window
    [item] = [i for i in items if i.status != "upcoming"]
    assert (item.step_id, item.status, item.due_date) == ("follow_up", "due", dt.date(2026, 2, 4))
    assert item.window_end == dt.date(2026, 2, 11)
    assert "LAB_OVERDUE" not in alerts
    items, alerts = due_items(knowledge, baseline, 38, "test-eu")
    assert [(i.status, i.due_date) for i in items] == [
        ("overdue", dt.date(2026, 2, 4)),
        ("upcoming", dt.date(2026, 5, 6)),  # the missed check does not move the next one
    ]
    assert "LAB_OVERDUE" in alerts


def test_eu_results_inside_the_window_satisfy_the_check_and_the_next_is_3_months_later(
    knowledge: Knowledge,
) -> None:
    # drawn on day 25 (30 Jan), inside 28 Jan - 11 Feb; next due 4 Feb + 91 days = 6 May
    items, alerts = due_items(knowledge, [*panel("base", -3), *panel("m1", 25)], 40, "test-eu")
    assert [(i.status, i.due_date) for i in items] == [("upcoming", dt.date(2026, 5, 6))]
    assert "LAB_OVERDUE" not in alerts


def test_eu_results_drawn_too_early_do_not_count(knowledge: Knowledge) -> None:
    # day 22 = 27 Jan, one day before the window opens
    items, _ = due_items(knowledge, [*panel("base", -3), *panel("early", 22)], 40, "test-eu")
    assert items[0].status == "overdue"
    assert items[0].missing_tests == ["alt", "ast", "triglycerides", "cholesterol_total"]


def test_a_missing_baseline_is_overdue_a_week_after_the_first_dose(knowledge: Knowledge) -> None:
    items, alerts = due_items(knowledge, [], 7, "test-eu")
    assert [(i.step_id, i.status) for i in items] == [
        ("baseline", "due"),
        ("follow_up", "upcoming"),
    ]
    items, alerts = due_items(knowledge, [], 8, "test-eu")
    assert items[0].step_id == "baseline" and items[0].status == "overdue"
    assert "LAB_OVERDUE" in alerts


def test_a_partial_panel_lists_what_is_missing(knowledge: Knowledge) -> None:
    items, _ = due_items(knowledge, panel("base", -3, ("alt", "tg")), 8, "test-eu")
    assert items[0].step_id == "baseline"
    assert items[0].missing_tests == ["ast", "cholesterol_total"]


def test_before_the_first_dose_the_baseline_is_due_without_a_date(knowledge: Knowledge) -> None:
    report = evaluate_monitoring(knowledge, course(), dt.date(2026, 1, 2))
    [item] = report.labs_due
    assert (item.step_id, item.status, item.due_date) == ("baseline", "due", None)
    assert "LAB_OVERDUE" not in codes(report.alerts)


def test_us_label_rechecks_lipids_at_4_weeks(knowledge: Knowledge) -> None:
    items, _ = due_items(knowledge, panel("base", -3), 28, "test-us")
    [item] = items
    assert (item.step_id, item.due_date, item.tests) == (
        "lipid_recheck",
        dt.date(2026, 2, 2),
        ["triglycerides", "cholesterol_total"],
    )
    assert item.status == "due"


def test_seed_article_second_check_window_runs_from_2_to_3_months(knowledge: Knowledge) -> None:
    # 1-month check done on day 30; window 5 Jan + 61 = 7 Mar to 5 Jan + 91 = 6 Apr
    events = [*panel("base", -3), *panel("m1", 30)]
    items, alerts = due_items(knowledge, events, 91, "test-seed")
    assert [(i.step_id, i.status, i.due_date, i.window_end) for i in items] == [
        ("two_to_three_months", "due", dt.date(2026, 3, 7), dt.date(2026, 4, 6))
    ]
    items, alerts = due_items(knowledge, events, 92, "test-seed")
    assert items[0].status == "overdue" and "LAB_OVERDUE" in alerts


def rx(event_id: str, offset: int, dose_mg: float) -> dict[str, object]:
    return {
        "id": event_id,
        "type": "prescription",
        "date": day(offset),
        "product": "roaccutane",
        "daily_dose_mg": dose_mg,
        "days_supply": 30,
    }


def test_delphi_checks_once_at_the_peak_dose(knowledge: Knowledge) -> None:
    # 20 mg from day 0, 40 mg from day 28 (2 Feb): the peak check is due 2 Feb,
    # and overdue after 2 Feb + 30 days = 4 Mar
    events = [*panel("base", -10, ("alt", "tg")), rx("rx1", 0, 20), rx("rx2", 28, 40)]
    items, _ = due_items(knowledge, events, 58, "test-delphi")
    assert [(i.step_id, i.status, i.due_date) for i in items] == [
        ("peak_dose", "due", dt.date(2026, 2, 2))
    ]
    items, _ = due_items(knowledge, events, 59, "test-delphi")
    assert items[0].status == "overdue"


def test_delphi_baseline_older_than_a_month_does_not_count(knowledge: Knowledge) -> None:
    # drawn 31 days before the first dose; the consensus wants it within the month before
    events = [*panel("base", -31, ("alt", "tg")), rx("rx1", 0, 20)]
    items, _ = due_items(knowledge, events, 3, "test-delphi")
    assert ("baseline", "due") in [(i.step_id, i.status) for i in items]


def test_delphi_peak_check_is_unknown_without_a_recorded_dose(knowledge: Knowledge) -> None:
    items, _ = due_items(knowledge, panel("base", -3, ("alt", "tg")), 30, "test-delphi")
    assert [(i.step_id, i.status) for i in items] == [("peak_dose", "unknown")]


def test_no_labs_are_due_after_the_last_dose(knowledge: Knowledge) -> None:
    events: list[dict[str, object]] = [{"id": "end", "type": "course_end", "date": day(20)}]
    items, alerts = due_items(knowledge, events, 60, "test-eu")
    assert items == [] and "LAB_OVERDUE" not in alerts


def test_the_schedule_used_is_named_with_its_alternatives(knowledge: Knowledge) -> None:
    report = evaluate_monitoring(
        knowledge, started(policy="test-eu"), dt.date(2026, 1, 6), lab_schedule="delphi_2022"
    )
    choice = next(c for c in report.policy_choices if c.disagreement == "lab_schedule")
    assert (choice.position, choice.chosen_by) == ("delphi_2022", "override")
    assert {"us_label", "eu_smpc", "seed_article"} <= set(choice.alternatives)
    assert report.labs_due[0].schedule == "delphi_2022"
