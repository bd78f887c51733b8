"""iPLEDGE scenarios, 2023 and 2026 editions. Each test names the rule and source it asserts.

Scenario dates (us2023-*): contraception from 2024-01-02; screening test 2024-01-05;
confirmation test and rx1 2024-02-05; first dose 2024-02-07; monthly test/rx2 2024-03-06;
rx3 2024-04-05; last dose 2024-05-06. The us2026-* files run the same course from 2026-09-01
(screening 2026-09-04, confirmation 2026-10-05, rx2 2026-11-04).
"""

from __future__ import annotations

import pytest

from isotrack.domain.events import Dispensed
from isotrack.domain.timeline import events_of
from isotrack.engines.programme import (
    RequirementStatus,
    decide_dispense,
    evaluate_programme,
)
from isotrack.knowledge import Knowledge

from .conftest import ScenarioLoader, day, reason_ids, status

MET = RequirementStatus.MET
UNMET = RequirementStatus.UNMET
US_EDITIONS = ("us2023", "us2026")


# --- patient who can get pregnant: the whole course ---------------------------------------


def test_2023_first_dispense_rests_on_confirmation_test_us_pt_03(
    knowledge: Knowledge, scenario: ScenarioLoader
) -> None:
    # US-PT-03 (prog-rems-fda): confirmation 2024-02-05 is 31 days after screening (>= 19) and
    # follows contraception from 2024-01-02 (1 month => 2024-02-02). US-WIN-01: window
    # 2024-02-05 .. 2024-02-11 (day 1 + 6).
    timeline = scenario("us2023-cgp-full-course", drop=["disp1", "start"])
    decision = decide_dispense(knowledge, timeline, day("2024-02-07"))
    assert decision.authorized, decision.reasons
    assert decision.prescription_id == "rx1"
    assert decision.dispense_by == day("2024-02-11")
    assert decision.max_days_supply == 30  # US-RX-01a, prog-medline-monograph


def test_2023_monthly_cycle_with_a_home_test_under_enforcement_discretion_us_pt_06a(
    knowledge: Knowledge, scenario: ScenarioLoader
) -> None:
    # pt3 (2024-03-06) is a home test during treatment: accepted in 2023 (US-PT-06a-during,
    # prog-aad-ipledge-2026). Window 2024-03-06 .. 2024-03-12.
    timeline = scenario("us2023-cgp-full-course", drop=["disp2"])
    decision = decide_dispense(knowledge, timeline, day("2024-03-08"))
    assert decision.authorized, decision.reasons
    assert decision.dispense_by == day("2024-03-12")


@pytest.mark.parametrize("edition", US_EDITIONS)
def test_post_treatment_test_one_month_after_last_dose_us_pt_05(
    knowledge: Knowledge, scenario: ScenarioLoader, edition: str
) -> None:
    # US-PT-05a/b (prog-mayo-precautions, prog-usdp-care): end-of-course test after the last
    # dispense, and a test on/after last dose + 1 month. 2023: last dose 2024-05-06 -> due
    # 2024-06-06; pt6 on 2024-06-10.
    timeline = scenario(f"{edition}-cgp-full-course")
    last_dose = next(e for e in timeline.events if e.id == "end").date
    due_report = evaluate_programme(knowledge, timeline, last_dose)
    post = next(r for r in due_report.requirements if r.id == "test.post_treatment")
    assert post.status is RequirementStatus.DUE
    pt6 = next(e for e in timeline.events if e.id == "pt6").date
    done = evaluate_programme(knowledge, timeline, pt6)
    assert status(done, "test.end_of_course") is MET
    assert status(done, "test.post_treatment") is MET
    assert status(done, "contraception.after_last_dose") is MET
    assert not done.dispense_decision.authorized  # nothing waits to be dispensed


def test_2023_post_treatment_test_missing_is_unmet_after_its_date(
    knowledge: Knowledge, scenario: ScenarioLoader
) -> None:
    timeline = scenario("us2023-cgp-full-course", drop=["pt6"])
    report = evaluate_programme(knowledge, timeline, day("2024-06-07"))  # due 2024-06-06
    assert status(report, "test.post_treatment") is UNMET


# --- the 7-day window: day 1, day 7, day 8 (US-WIN-01) --------------------------------------


@pytest.mark.parametrize(
    ("on", "authorized"),
    [("2024-03-06", True), ("2024-03-12", True), ("2024-03-13", False)],
    ids=["day-1", "day-7", "day-8"],
)
def test_window_counts_specimen_collection_day_as_day_1_us_win_01(
    knowledge: Knowledge, scenario: ScenarioLoader, on: str, authorized: bool
) -> None:
    # US-WIN-01 (prog-practice-ipledge-summary, prog-ipledge-2007): test pt3 collected
    # 2024-03-06 = day 1; day 7 = 2024-03-12; day 8 = 2024-03-13 is refused.
    timeline = scenario("us2023-cgp-full-course", drop=["disp2"])
    decision = decide_dispense(knowledge, timeline, day(on), "rx2")
    assert decision.authorized is authorized
    if not authorized:
        assert "dispense.window" in reason_ids(decision)
        assert "dispense.missed_window" in reason_ids(decision)  # US-WIN-05: retest, no wait


# --- missed first window: 2023 waits 19 days, 2026 retests at once --------------------------


def test_2023_missed_first_window_waits_19_days_from_the_opening_test_us_win_03(
    knowledge: Knowledge, scenario: ScenarioLoader
) -> None:
    # US-WIN-03 (prog-ipledge-2007): window of pt2 (2024-02-05) closed 2024-02-11; the next
    # test must be on/after 2024-02-05 + 19 = 2024-02-24.
    timeline = scenario("us2023-cgp-missed-first-window")
    day8 = decide_dispense(knowledge, timeline, day("2024-02-12"))
    assert not day8.authorized
    assert "dispense.missed_first_window" in reason_ids(day8)
    assert day8.next_steps[0].not_before == day("2024-02-24")
    # pt2b on 2024-02-15 is only 10 days after pt2: it opens no window.
    early = decide_dispense(knowledge, timeline, day("2024-02-16"))
    assert not early.authorized
    assert (
        "pt2b"
        in next(r for r in early.reasons if r.requirement_id.endswith("first_window")).message
    )
    # pt2c on 2024-02-24 opens a new window: 2024-02-24 .. 2024-03-01.
    later = decide_dispense(knowledge, timeline, day("2024-02-24"))
    assert later.authorized, later.reasons
    assert later.dispense_by == day("2024-03-01")


def test_2026_missed_first_window_retest_now_in_a_medical_setting_us_win_04(
    knowledge: Knowledge, scenario: ScenarioLoader
) -> None:
    # US-WIN-04 (prog-fda-ipledge-page, prog-aars-2023): no wait. pt2 2026-10-05, window
    # closed 2026-10-11. pt2b at home 2026-10-12 does not count (US-PT-06b-pre); pt2c in the
    # clinic 2026-10-13 opens 2026-10-13 .. 2026-10-19.
    timeline = scenario("us2026-cgp-missed-first-window")
    missed = decide_dispense(knowledge, timeline, day("2026-10-12"))
    assert not missed.authorized
    assert missed.next_steps[0].not_before == day("2026-10-12")
    assert "medical setting" in missed.next_steps[0].what
    retest = decide_dispense(knowledge, timeline, day("2026-10-13"))
    assert retest.authorized, retest.reasons
    assert retest.dispense_by == day("2026-10-19")


# --- test setting: home tests in 2026 (US-PT-06b) -------------------------------------------


def test_2026_home_confirmation_test_before_first_dose_is_refused_us_pt_06b(
    knowledge: Knowledge, scenario: ScenarioLoader
) -> None:
    timeline = scenario("us2026-cgp-home-test-before-first-dose")
    decision = decide_dispense(knowledge, timeline, day("2026-10-06"))
    assert not decision.authorized
    confirmation = next(r for r in decision.reasons if r.requirement_id == "test.confirmation")
    assert "US-PT-06b-pre" in confirmation.message


def test_2026_home_test_during_treatment_is_accepted_us_pt_06b(
    knowledge: Knowledge, scenario: ScenarioLoader
) -> None:
    # pt3 (2026-11-04) is a home test after the first dose (2026-10-07).
    timeline = scenario("us2026-cgp-full-course", drop=["disp2"])
    decision = decide_dispense(knowledge, timeline, day("2026-11-05"))
    assert decision.authorized, decision.reasons


# --- contraception (US-CON-01/02) -------------------------------------------------------------


@pytest.mark.parametrize("edition", US_EDITIONS)
@pytest.mark.parametrize(
    ("variant", "authorized"),
    [("full-course", True), ("two-secondary-methods", False), ("mini-pill", False),
     ("abstinence", True)],
)  # fmt: skip
def test_contraception_needs_one_primary_method_or_abstinence_us_con_02(
    knowledge: Knowledge, scenario: ScenarioLoader, edition: str, variant: str, authorized: bool
) -> None:
    # US-CON-02 (prog-methods-summary, prog-acneandu-methods): combined pill + condom passes;
    # condom + diaphragm (two secondary) fails; mini-pill + condom fails (mini-pill not
    # acceptable); committed abstinence passes.
    drop = ["disp1", "start"] if variant == "full-course" else []
    timeline = scenario(f"{edition}-cgp-{variant}", drop=drop)
    first_dispense_day = {"us2023": "2024-02-06", "us2026": "2026-10-06"}[edition]
    decision = decide_dispense(knowledge, timeline, day(first_dispense_day), "rx1")
    assert decision.authorized is authorized, decision.reasons
    if not authorized:
        assert "contraception" in reason_ids(decision)


# --- positive, voided, 31 days ----------------------------------------------------------------


@pytest.mark.parametrize("edition", US_EDITIONS)
def test_positive_test_mid_course_stops_everything_us_preg_01(
    knowledge: Knowledge, scenario: ScenarioLoader, edition: str
) -> None:
    timeline = scenario(f"{edition}-cgp-positive-test-mid-course")
    on = max(e.date for e in timeline.events)
    decision = decide_dispense(knowledge, timeline, on)
    assert not decision.authorized
    assert decision.reasons[0].requirement_id == "pregnancy.none_recorded"
    assert decision.reasons[0].rule_id == "US-PREG-01"
    assert any("Stop isotretinoin" in s.what for s in decision.next_steps)


@pytest.mark.parametrize("edition", US_EDITIONS)
def test_voided_test_is_never_read_as_negative_us_pt_04(
    knowledge: Knowledge, scenario: ScenarioLoader, edition: str
) -> None:
    timeline = scenario(f"{edition}-cgp-voided-test")
    on = max(e.date for e in timeline.events)
    decision = decide_dispense(knowledge, timeline, on)
    assert not decision.authorized
    assert {"test.prescription", "dispense.window"} <= set(reason_ids(decision))
    assert decision.dispense_by is None


@pytest.mark.parametrize("edition", US_EDITIONS)
def test_31_day_prescription_is_refused_us_rx_01(
    knowledge: Knowledge, scenario: ScenarioLoader, edition: str
) -> None:
    timeline = scenario(f"{edition}-cgp-31-day-prescription")
    on = max(e.date for e in timeline.events)
    decision = decide_dispense(knowledge, timeline, on)
    assert reason_ids(decision) == ["prescription.max_supply"]
    assert decision.reasons[0].rule_id == "US-RX-01a"


def test_an_invalid_test_result_is_unmet_never_negative(
    knowledge: Knowledge, scenario: ScenarioLoader
) -> None:
    timeline = scenario(
        "us2023-cgp-full-course",
        drop=["disp2", "pt3"],
        add=[{"id": "pt3x", "type": "pregnancy_test", "date": "2024-03-06", "result": "invalid",
              "kind": "urine", "setting": "medical", "sensitivity_miu_per_ml": 25}],
    )  # fmt: skip
    decision = decide_dispense(knowledge, timeline, day("2024-03-07"))
    assert not decision.authorized
    assert (
        "invalid"
        in next(r for r in decision.reasons if r.requirement_id == "test.prescription").message
    )


def test_a_test_without_recorded_sensitivity_does_not_count_us_pt_01(
    knowledge: Knowledge, scenario: ScenarioLoader
) -> None:
    # US-PT-01 (prog-ipledge-label): 25 mIU/mL or better; unknown sensitivity is not assumed.
    timeline = scenario(
        "us2023-cgp-full-course",
        drop=["disp2", "pt3"],
        add=[{"id": "pt3x", "type": "pregnancy_test", "date": "2024-03-06", "result": "negative",
              "kind": "urine", "setting": "medical"}],
    )  # fmt: skip
    decision = decide_dispense(knowledge, timeline, day("2024-03-07"))
    assert not decision.authorized


# --- patients who cannot get pregnant ------------------------------------------------------


def test_2023_cannot_get_pregnant_window_is_30_days_from_the_visit_us_win_02(
    knowledge: Knowledge, scenario: ScenarioLoader
) -> None:
    # US-WIN-02 (prog-medline-monograph): visit v2 2024-02-01 -> last day 2024-03-01
    # (30 days counting the visit day); US-CNS-02: counselling confirmed monthly.
    timeline = scenario("us2023-cngp-full-course", drop=["disp2", "v3", "cns3", "rx3", "disp3"])
    assert decide_dispense(knowledge, timeline, day("2024-03-01")).dispense_by == day("2024-03-01")
    assert decide_dispense(knowledge, timeline, day("2024-03-01")).authorized
    late = decide_dispense(knowledge, timeline, day("2024-03-02"))
    assert not late.authorized and "dispense.window" in reason_ids(late)
    no_counselling = scenario("us2023-cngp-full-course", drop=["disp2", "cns2"])
    refused = decide_dispense(knowledge, no_counselling, day("2024-02-02"))
    assert reason_ids(refused) == ["counselling.prescription"]


def test_2026_cannot_get_pregnant_needs_no_monthly_counselling_and_has_no_window_us_pha_03(
    knowledge: Knowledge, scenario: ScenarioLoader
) -> None:
    # US-CNS-02 removed in 2026 (prog-aad-ipledge-2026); US-PHA-03 (prog-aars-2023):
    # the authorization rests on enrolment; no 30-day window.
    # rx2 written 2026-10-01 with no counselling since rx1; checked 24 days later.
    timeline = scenario("us2026-cngp-full-course", drop=["disp2", "v3", "rx3", "disp3", "end"])
    decision = decide_dispense(knowledge, timeline, day("2026-10-25"))
    assert decision.authorized, decision.reasons
    assert decision.dispense_by is None
    report = evaluate_programme(knowledge, timeline, day("2026-10-25"))
    assert "counselling.prescription" not in {r.id for r in report.requirements}


@pytest.mark.parametrize("edition", US_EDITIONS)
def test_cannot_get_pregnant_whole_course_is_dispensed_every_month(
    knowledge: Knowledge, scenario: ScenarioLoader, edition: str
) -> None:
    full = scenario(f"{edition}-cngp-full-course")
    for dispense in events_of(full.events, Dispensed):
        before = scenario(f"{edition}-cngp-full-course", drop=[dispense.id])
        decision = decide_dispense(knowledge, before, dispense.date, dispense.prescription_id)
        assert decision.authorized, (dispense.id, decision.reasons)


def test_2026_policy_used_before_its_configured_date_says_so(
    knowledge: Knowledge, scenario: ScenarioLoader
) -> None:
    timeline = scenario("us2023-cgp-full-course", policy="us-ipledge-2026", drop=["disp2"])
    decision = decide_dispense(knowledge, timeline, day("2024-03-07"))
    assert decision.policy.in_force is False
    assert any("takes effect on 2026-08-08" in note for note in decision.notes)
