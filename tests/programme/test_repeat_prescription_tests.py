"""Pregnancy tests before repeat prescriptions (issue 11, item 1).

UK (rule UK-PT-03; BNF: exclude pregnancy every month unless there are compelling reasons that
there is no risk; NHS formularies: before each repeat prescription): a medically supervised
negative test, done on the day of the prescribing visit or in the 3 days before (SmPC timing),
or the prescriber's dated decision in this cycle that there is no risk of pregnancy. EU base
policy (EU-PT-03a): a warning, never a block; the clinic policy requiring the test (EU-PT-03)
blocks. Scenario: uk2023-cgp-full-course, rx2 on 2026-04-07 after disp1 on 2026-03-10.
"""

from __future__ import annotations

import pytest

from isotrack.engines.programme import RequirementStatus, decide_dispense, evaluate_programme
from isotrack.knowledge import Knowledge

from .conftest import ScenarioLoader, day, reason_ids, status

UK = "uk2023-cgp-full-course"
AFTER_RX2 = ["disp2", "pt3", "mh3", "sf3", "rx3", "disp3", "end", "pt4"]


def monthly_test(on: str) -> dict[str, object]:
    return {"id": "pt2", "type": "pregnancy_test", "date": on, "result": "negative",
            "kind": "urine", "setting": "medical", "sensitivity_miu_per_ml": 25}  # fmt: skip


def no_risk_decision(on: str) -> dict[str, object]:
    return {"id": "norisk", "type": "assessment", "date": on, "kind": "no_pregnancy_risk",
            "recorded_by": "dr-okafor", "outcome": "hysterectomy confirmed"}  # fmt: skip


@pytest.mark.parametrize(
    ("test_day", "authorized"),
    [("2026-04-07", True), ("2026-04-04", True), ("2026-04-03", False)],
    ids=["same-day", "3-days-before", "4-days-before"],
)
def test_uk_repeat_prescription_needs_a_recent_test(
    knowledge: Knowledge, scenario: ScenarioLoader, test_day: str, authorized: bool
) -> None:
    timeline = scenario(UK, drop=["pt2", *AFTER_RX2], add=[monthly_test(test_day)])
    decision = decide_dispense(knowledge, timeline, day("2026-04-09"), "rx2")
    assert decision.authorized is authorized, decision.reasons
    if not authorized:
        assert reason_ids(decision) == ["test.prescription"]
        assert decision.reasons[0].rule_id == "UK-PT-03"


def test_uk_repeat_prescription_without_a_test_is_refused(
    knowledge: Knowledge, scenario: ScenarioLoader
) -> None:
    timeline = scenario(UK, drop=["pt2", *AFTER_RX2])
    decision = decide_dispense(knowledge, timeline, day("2026-04-09"), "rx2")
    assert not decision.authorized
    assert reason_ids(decision) == ["test.prescription"]


def test_a_dated_prescriber_decision_of_no_pregnancy_risk_waives_the_uk_test(
    knowledge: Knowledge, scenario: ScenarioLoader
) -> None:
    timeline = scenario(UK, drop=["pt2", *AFTER_RX2], add=[no_risk_decision("2026-04-07")])
    decision = decide_dispense(knowledge, timeline, day("2026-04-09"), "rx2")
    assert decision.authorized, decision.reasons
    report = evaluate_programme(knowledge, timeline, day("2026-04-09"))
    [requirement] = [r for r in report.requirements if r.id == "test.prescription"]
    assert requirement.event_ids == ["norisk"]
    assert "no risk of pregnancy" in requirement.message and "2026-04-07" in requirement.message


def test_a_no_risk_decision_from_an_earlier_cycle_does_not_waive_this_one(
    knowledge: Knowledge, scenario: ScenarioLoader
) -> None:
    # Recorded before the previous dispense (2026-03-10): it covered that cycle only.
    timeline = scenario(UK, drop=["pt2", *AFTER_RX2], add=[no_risk_decision("2026-03-09")])
    decision = decide_dispense(knowledge, timeline, day("2026-04-09"), "rx2")
    assert not decision.authorized
    assert reason_ids(decision) == ["test.prescription"]


def test_eu_base_policy_warns_without_blocking_when_no_test_since_the_last_dispense(
    knowledge: Knowledge, scenario: ScenarioLoader
) -> None:
    timeline = scenario(UK, policy="eu-ppp-2018", drop=["pt2", *AFTER_RX2])
    decision = decide_dispense(knowledge, timeline, day("2026-04-09"), "rx2")
    assert decision.authorized, decision.reasons
    report = evaluate_programme(knowledge, timeline, day("2026-04-09"))
    assert status(report, "test.prescription_advised") is RequirementStatus.UNMET
    with_test = scenario(UK, policy="eu-ppp-2018", drop=AFTER_RX2)
    report = evaluate_programme(knowledge, with_test, day("2026-04-09"))
    assert status(report, "test.prescription_advised") is RequirementStatus.MET


def test_the_eu_clinic_policy_requiring_monthly_tests_blocks_instead(
    knowledge: Knowledge, scenario: ScenarioLoader
) -> None:
    timeline = scenario(UK, policy="eu-ppp-2018-monthly-tests", drop=["pt2", *AFTER_RX2])
    decision = decide_dispense(knowledge, timeline, day("2026-04-09"), "rx2")
    assert not decision.authorized
    assert reason_ids(decision) == ["test.prescription"]
    report = evaluate_programme(knowledge, timeline, day("2026-04-09"))
    assert status(report, "test.prescription_advised") is RequirementStatus.NOT_APPLICABLE


def test_a_prescription_filled_once_is_refused_in_dates_the_pharmacist_can_check(
    knowledge: Knowledge, scenario: ScenarioLoader
) -> None:
    # The pharmacist asks again about rx1, filled on 10 March: every fill needs a new
    # prescription (ISOTRACK-RX). The reason names the prescription's and the fill's dates,
    # never the record ids behind them, since it is read at the counter.
    timeline = scenario(UK, drop=AFTER_RX2)
    decision = decide_dispense(knowledge, timeline, day("2026-03-20"), "rx1")
    assert not decision.authorized
    reason = decision.reasons[0]
    assert reason.rule_id == "ISOTRACK-RX"
    assert "already dispensed on 2026-03-10" in reason.message
    assert "rx1" not in reason.message and "disp1" not in reason.message
