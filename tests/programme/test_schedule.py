"""The schedule: dated to-do items per role, each tied to a requirement."""

from __future__ import annotations

from isotrack.engines.programme.report import Role
from isotrack.engines.schedule import build_schedule
from isotrack.knowledge import Knowledge

from .conftest import ScenarioLoader, day


def test_after_a_us_dispense_the_next_cycle_is_planned_from_supply_run_out(
    knowledge: Knowledge, scenario: ScenarioLoader
) -> None:
    # disp1 2024-02-07 with 30 days -> runs out 2024-03-08; follow-up interval 30 days
    # (programme.ipledge.follow_up_interval) -> visit 2024-03-08; test window 7 days ending
    # that day: 2024-03-02 .. 2024-03-08 (US-WIN-01).
    timeline = scenario("us2023-cgp-full-course")
    schedule = build_schedule(knowledge, timeline, day("2024-02-10"))
    by_requirement = {item.requirement_id: item for item in schedule.items}
    visit = by_requirement["counselling.prescription"]
    assert visit.date == day("2024-03-08") and visit.who is Role.PRESCRIBER
    test = by_requirement["test.prescription"]
    assert (test.window_start, test.window_end) == (day("2024-03-02"), day("2024-03-08"))
    assert by_requirement["comprehension.prescription"].who is Role.PATIENT


def test_after_the_last_dose_the_post_treatment_test_and_contraception_end_are_dated(
    knowledge: Knowledge, scenario: ScenarioLoader
) -> None:
    # Last dose 2024-05-06; 1 month later = 2024-06-06 for the test, contraception and
    # blood donation (programme.post_treatment_test_delay, contraception_after_last_dose).
    timeline = scenario("us2023-cgp-full-course", drop=["pt6"])
    schedule = build_schedule(knowledge, timeline, day("2024-05-10"))
    dated = {item.requirement_id: item.date for item in schedule.items}
    assert dated["test.post_treatment"] == day("2024-06-06")
    assert dated["contraception.after_last_dose"] == day("2024-06-06")
    assert dated["after.no_blood_donation"] == day("2024-06-06")
    assert [i.sort_key for i in schedule.items] == sorted(i.sort_key for i in schedule.items)


def test_an_authorized_prescription_shows_its_pick_up_window_to_the_pharmacist(
    knowledge: Knowledge, scenario: ScenarioLoader
) -> None:
    timeline = scenario("eu2018-cgp-full-course", drop=["disp1", "start"])
    schedule = build_schedule(knowledge, timeline, day("2025-04-07"))
    pharmacist = [i for i in schedule.items if i.who is Role.PHARMACIST]
    assert pharmacist[0].window_end == day("2025-04-12")  # EU-DISP-01: rx1 2025-04-06 + 6


def test_uk_follow_up_reviews_are_on_the_visit_date(
    knowledge: Knowledge, scenario: ScenarioLoader
) -> None:
    timeline = scenario("uk2023-cgp-full-course")
    schedule = build_schedule(knowledge, timeline, day("2026-03-12"))  # after disp1 2026-03-10
    reviews = [i for i in schedule.items if i.requirement_id.startswith("assessment.")]
    assert {i.date for i in reviews} == {day("2026-04-09")}  # 2026-03-10 + 30 days' supply
