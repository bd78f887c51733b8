"""The policy's abnormal-lab stop rule, and the rise-from-baseline flag.

The same results are judged under the single-parameter rule (one liver enzyme above 3 x ULN:
hold; isotrack-decisions, practice default) and the seed article's rule (stop only when at
least two parameters rise 2-fold or more together; seed-004), and give different answers.
"""

from __future__ import annotations

import datetime as dt

import pytest
from monitoring_cases import codes, day, lab, only, started

from isotrack.engines.monitoring import evaluate_monitoring
from isotrack.knowledge import Knowledge

AS_OF = dt.date(2026, 2, 10)  # day 36 of the course


def lab_codes(knowledge: Knowledge, *events: dict[str, object], policy: str) -> list[str]:
    report = evaluate_monitoring(knowledge, started(*events, policy=policy), AS_OF)
    return codes([a for a in report.alerts if a.topic == "labs" and a.code != "LAB_OVERDUE"])


# Story A: ALT 30 -> 140 U/L (range up to 40): 3.5 x ULN, the only abnormal parameter.
ISOLATED_ALT = (
    lab("alt-0", -3, "alt", 30, "U/L", reference_high=40),
    lab("alt-1", 30, "alt", 140, "U/L", reference_high=40),
)
# Story B: ALT 20 -> 45 U/L (1.13 x ULN, 2.25 x baseline) and TG 100 -> 230 mg/dL (2.3 x).
TWO_MODEST_RISES = (
    lab("alt-0", -3, "alt", 20, "U/L", reference_high=40),
    lab("tg-0", -3, "tg", 100, "mg/dL"),
    lab("alt-1", 30, "alt", 45, "U/L", reference_high=40),
    lab("tg-1", 30, "tg", 230, "mg/dL"),
)


def test_isolated_alt_at_3_5_x_uln_stops_under_the_single_parameter_rule(
    knowledge: Knowledge,
) -> None:
    found = lab_codes(knowledge, *ISOLATED_ALT, policy="test-eu")
    assert "LAB_STOP_SINGLE_PARAMETER" in found
    report = evaluate_monitoring(knowledge, started(*ISOLATED_ALT, policy="test-eu"), AS_OF)
    stop = only(report.alerts, "LAB_STOP_SINGLE_PARAMETER")
    assert stop.severity.value == "critical" and stop.event_ids == ["alt-1"]
    assert "'test-eu'" in stop.message and "single_parameter_3x_uln" in stop.message
    assert "isotrack-decisions" in stop.source_ids


def test_the_same_isolated_alt_does_not_stop_under_the_seed_multi_parameter_rule(
    knowledge: Knowledge,
) -> None:
    found = lab_codes(knowledge, *ISOLATED_ALT, policy="test-seed")
    assert "LAB_STOP_MULTI_PARAMETER" not in found
    assert "LAB_STOP_SINGLE_PARAMETER" not in found
    assert "LAB_SINGLE_PARAMETER_RAISED" in found  # a warning: recheck, do not stop


def test_two_modest_rises_stop_under_the_seed_rule_only(knowledge: Knowledge) -> None:
    seed = lab_codes(knowledge, *TWO_MODEST_RISES, policy="test-seed")
    single = lab_codes(knowledge, *TWO_MODEST_RISES, policy="test-eu")
    assert "LAB_STOP_MULTI_PARAMETER" in seed
    assert not {"LAB_STOP_SINGLE_PARAMETER", "LAB_STOP_MULTI_PARAMETER"} & set(single)


@pytest.mark.parametrize(
    ("alt_after", "stops"),
    [(39.8, False), (40, True), (41, True)],  # baseline 20: 1.99 x, exactly 2 x, 2.05 x
)
def test_seed_rule_counts_a_parameter_from_exactly_2_fold_of_baseline(
    knowledge: Knowledge, alt_after: float, stops: bool
) -> None:
    # TG 100 -> 200 mg/dL is exactly 2-fold too; the ALT decides whether two are raised
    events = (
        lab("alt-0", -3, "alt", 20, "U/L", reference_high=40),
        lab("tg-0", -3, "tg", 100, "mg/dL"),
        lab("alt-1", 30, "alt", alt_after, "U/L", reference_high=40),
        lab("tg-1", 30, "tg", 200, "mg/dL"),
    )
    found = lab_codes(knowledge, *events, policy="test-seed")
    assert ("LAB_STOP_MULTI_PARAMETER" in found) is stops


def test_seed_rule_works_in_si_units_too(knowledge: Knowledge) -> None:
    # TG 1.0 -> 2.1 mmol/L (2.1 x) and ALT 0.3 -> 0.7 ukat/L (2.33 x)
    events = (
        lab("alt-0", -3, "alt", 0.3, "ukat/L", reference_high=0.6),
        lab("tg-0", -3, "tg", 1.0, "mmol/L"),
        lab("alt-1", 30, "alt", 0.7, "ukat/L", reference_high=0.6),
        lab("tg-1", 30, "tg", 2.1, "mmol/L"),
    )
    assert "LAB_STOP_MULTI_PARAMETER" in lab_codes(knowledge, *events, policy="test-seed")


@pytest.mark.parametrize(("alt_after", "stops"), [(119, False), (120, False), (121, True)])
def test_single_parameter_rule_starts_above_3_x_uln(
    knowledge: Knowledge, alt_after: float, stops: bool
) -> None:
    events = (lab("alt-1", 30, "alt", alt_after, "U/L", reference_high=40),)
    found = lab_codes(knowledge, *events, policy="test-eu")
    assert ("LAB_STOP_SINGLE_PARAMETER" in found) is stops


def test_a_pre_treatment_result_never_triggers_a_stop_rule(knowledge: Knowledge) -> None:
    events = (lab("alt-0", -3, "alt", 200, "U/L", reference_high=40),)
    found = lab_codes(knowledge, *events, policy="test-eu")
    assert "LAB_STOP_SINGLE_PARAMETER" not in found
    assert "ALT_HIGH" in found


@pytest.mark.parametrize(
    ("second", "stops"),
    [(50, True), (38, False)],
)
def test_label_rule_stops_when_alt_stays_above_the_limit_twice_running(
    knowledge: Knowledge, second: float, stops: bool
) -> None:
    events = (
        lab("alt-1", 14, "alt", 45, "U/L", reference_high=40),
        lab("alt-2", 30, "alt", second, "U/L", reference_high=40),
    )
    found = lab_codes(knowledge, *events, policy="test-us")
    assert ("LAB_STOP_NOT_NORMALISING" in found) is stops


def test_an_override_argument_replaces_the_policys_stop_rule(knowledge: Knowledge) -> None:
    report = evaluate_monitoring(
        knowledge,
        started(*ISOLATED_ALT, policy="test-eu"),
        AS_OF,
        stop_rule="seed_multi_parameter",
    )
    assert "LAB_STOP_SINGLE_PARAMETER" not in codes(report.alerts)
    choice = next(c for c in report.policy_choices if c.disagreement == "abnormal_labs_stop_rule")
    assert (choice.position, choice.chosen_by) == ("seed_multi_parameter", "override")
    assert "single_parameter_3x_uln" in choice.alternatives


@pytest.mark.parametrize(
    ("test", "unit", "before", "after", "flagged"),
    [
        ("alt", "U/L", 20, 39, False),  # 1.95 x baseline
        ("alt", "U/L", 20, 40, True),  # exactly 2 x
        ("tg", "mmol/L", 1.0, 1.9, False),
        ("tg", "mmol/L", 1.0, 2.0, True),
        ("tg", "mmol/L", 1.0, 2.1, True),
    ],
)
def test_rise_from_baseline_is_flagged_from_2_fold_even_inside_the_normal_range(
    knowledge: Knowledge, test: str, unit: str, before: float, after: float, flagged: bool
) -> None:
    events = (lab("b", -3, test, before, unit), lab("a", 30, test, after, unit))
    found = lab_codes(knowledge, *events, policy="test-eu")
    assert ("LAB_RISE_FROM_BASELINE" in found) is flagged


def test_rise_names_both_results(knowledge: Knowledge) -> None:
    events = (lab("b", -3, "alt", 20, "U/L"), lab("a", 30, "alt", 50, "U/L"))
    report = evaluate_monitoring(knowledge, started(*events), AS_OF)
    rise = only(report.alerts, "LAB_RISE_FROM_BASELINE")
    assert rise.event_ids == ["b", "a"]
    assert day(-3) in rise.message
