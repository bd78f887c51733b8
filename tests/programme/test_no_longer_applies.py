"""One truth per course (issue 17): a condition of the first dispense that was not met when
treatment began no longer applies, and every surface says so from the same requirement state.

Rosa's first dispense (2026-10-07) went ahead with no confirmation test on record (the
screening test pt1 is there; the confirmation test pt2 is missing). On 2026-11-05 her second
prescription waits. Before this fix the checklist called the confirmation test unmet, the
today list called her overdue and the calendar asked for a pre-treatment test, while the
pharmacist was authorized: four answers for one course.
"""

from __future__ import annotations

import datetime as dt

from isotrack.engines.programme import RequirementStatus, decide_dispense, evaluate_programme
from isotrack.engines.schedule import schedule_from_report
from isotrack.engines.worklist import worklist_entry
from isotrack.knowledge import Knowledge

from .conftest import ScenarioLoader, day, status

AFTER_RX2 = ["disp2", "pt4", "cns4", "rx3", "cc3", "disp3", "end", "pt5", "pt6"]
SECOND_FILL_DAY = day("2026-11-05")
TREATMENT_BEGAN = day("2026-10-07")  # disp1


def test_the_checklist_says_the_confirmation_test_no_longer_applies_with_a_note(
    knowledge: Knowledge, scenario: ScenarioLoader
) -> None:
    timeline = scenario("us2026-cgp-full-course", drop=["pt2", *AFTER_RX2])
    report = evaluate_programme(knowledge, timeline, SECOND_FILL_DAY)
    confirmation = next(r for r in report.requirements if r.id == "test.confirmation")
    assert confirmation.status is RequirementStatus.NOT_APPLICABLE
    assert confirmation.no_longer_applies_since == TREATMENT_BEGAN
    assert confirmation.message.startswith("No longer applies: treatment began on 2026-10-07")
    assert not confirmation.gates_dispense
    assert confirmation.due_date is None
    assert not [r.id for r in report.requirements if r.status is RequirementStatus.UNMET]


def test_the_dispense_decision_carries_the_same_note(
    knowledge: Knowledge, scenario: ScenarioLoader
) -> None:
    timeline = scenario("us2026-cgp-full-course", drop=["pt2", *AFTER_RX2])
    decision = decide_dispense(knowledge, timeline, SECOND_FILL_DAY)
    assert decision.authorized, decision.reasons
    report = evaluate_programme(knowledge, timeline, SECOND_FILL_DAY)
    confirmation = next(r for r in report.requirements if r.id == "test.confirmation")
    assert f"{confirmation.title}: {confirmation.message}" in decision.notes


def test_the_today_list_does_not_call_the_course_overdue(
    knowledge: Knowledge, scenario: ScenarioLoader
) -> None:
    timeline = scenario("us2026-cgp-full-course", drop=["pt2", *AFTER_RX2])
    entry = worklist_entry(knowledge, timeline, SECOND_FILL_DAY)
    assert entry.status != "overdue"
    assert entry.blocking_requirement == ""


def test_the_calendar_asks_for_no_pre_treatment_test_during_treatment(
    knowledge: Knowledge, scenario: ScenarioLoader
) -> None:
    # Two months in (before the third prescription): nothing pre-treatment is on the list.
    timeline = scenario("us2026-cgp-full-course", drop=["pt2", "end", "pt5", "pt6"])
    on = day("2026-12-01")
    report = evaluate_programme(knowledge, timeline, on)
    items = schedule_from_report(knowledge, timeline, report).items
    asked = {item.requirement_id for item in items}
    assert not asked & {"test.confirmation", "test.screening", "test.before_first"}
    assert all(item.sort_key >= on - dt.timedelta(days=1) for item in items), items


def test_before_the_first_dispense_the_missing_confirmation_still_refuses(
    knowledge: Knowledge, scenario: ScenarioLoader
) -> None:
    # US-PT-03 (prog-rems-fda): the first fill rests on the confirmation test.
    timeline = scenario("us2026-cgp-full-course", drop=["pt2", "disp1", "start", *AFTER_RX2])
    decision = decide_dispense(knowledge, timeline, day("2026-10-07"), "rx1")
    assert not decision.authorized
    assert "test.confirmation" in [r.requirement_id for r in decision.reasons]
    assert not any(note.startswith("Negative confirmation") for note in decision.notes)


def test_a_confirmation_test_that_was_met_stays_met_once_treatment_began(
    knowledge: Knowledge, scenario: ScenarioLoader
) -> None:
    timeline = scenario("us2026-cgp-full-course", drop=AFTER_RX2)
    report = evaluate_programme(knowledge, timeline, SECOND_FILL_DAY)
    assert status(report, "test.confirmation") is RequirementStatus.MET
    confirmation = next(r for r in report.requirements if r.id == "test.confirmation")
    assert confirmation.no_longer_applies_since is None


def test_every_demo_course_tells_one_truth(knowledge: Knowledge) -> None:
    # The demo clinic showed Maya Okafor AUTHORIZED while her checklist called the confirmation
    # test unmet: her screening and "confirmation" tests were two days apart (US-PT-03 asks
    # for 19). The demo now records a real screening test three weeks before enrolment.
    from isotrack.store.demo_clinic import demo_patients

    today = dt.date(2026, 11, 30)
    for patient in demo_patients(today):
        report = evaluate_programme(knowledge, patient.timeline, today)
        unmet = [r.id for r in report.requirements if r.status is RequirementStatus.UNMET]
        if report.dispense_decision.authorized:
            assert not unmet, (patient.display_name, unmet)
        assert "test.confirmation" not in unmet, patient.display_name
        stale = [
            item.requirement_id
            for item in schedule_from_report(knowledge, patient.timeline, report).items
            if item.requirement_id in ("test.confirmation", "test.screening", "test.before_first")
            and item.sort_key < today
        ]
        assert not stale, (patient.display_name, stale)
    maya = next(p for p in demo_patients(today) if p.display_name == "Maya Okafor")
    assert decide_dispense(knowledge, maya.timeline, today).authorized
