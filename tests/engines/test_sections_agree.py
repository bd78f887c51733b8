"""One ``evaluate`` output, one course timeline: dose, programme, monitoring and schedule agree.

Before decision 14 each engine read the first and last dose its own way: dose took the latest
``course_start`` and called a course with capsules but no ``course_start`` "unknown"; monitoring
took the first ``course_start`` or else the first dispense; the programme took the first
``course_start`` only and any ``course_end`` at all. These cases gave contradicting sections.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from isotrack.engines.assessment import Assessment, assess
from isotrack.knowledge import Knowledge
from timeline_cases import event, patient, timeline

# Anna, 27, can get pregnant, treated under the EU 2018 programme; 60 kg, 30 mg a day.
ANNA = patient("pt-anna", "1998-03-10", "female", can_get_pregnant=True)


def weight(date: str) -> dict[str, Any]:
    return event("w1", "weight", date, weight_kg=60)


def prescription(event_id: str, date: str) -> dict[str, Any]:
    return event(
        event_id, "prescription", date, product="claravis", daily_dose_mg=30, days_supply=30
    )


def dispense(event_id: str, date: str, prescription_id: str) -> dict[str, Any]:
    return event(event_id, "dispense", date, prescription_id=prescription_id, days_supply=30)


def evaluate(knowledge: Knowledge, as_of: str, *events: dict[str, Any]) -> Assessment:
    course = timeline(*events, policy="eu-ppp-2018", patient=ANNA)
    return assess(knowledge, course, dt.date.fromisoformat(as_of))


def periods(result: Assessment) -> set[tuple[dt.date | None, str | None, dt.date | None]]:
    """(first dose, its basis, last dose) as each section states them: one element if they agree."""
    return {
        (result.dose.course_start, result.dose.course_start_basis, result.dose.course_end),
        (
            result.programme.treatment.start,
            result.programme.treatment.start_basis,
            result.programme.treatment.end,
        ),
        (
            result.monitoring.treatment.start,
            result.monitoring.treatment.start_basis,
            result.monitoring.treatment.end,
        ),
    }


def test_without_a_course_start_every_section_starts_at_the_first_dispense_as_inferred(
    knowledge: Knowledge,
) -> None:
    # Capsules dispensed on 6 Jan; nobody recorded the first dose. Decision 14: the first
    # dispense is the inferred start, and each section says it is inferred.
    result = evaluate(
        knowledge,
        "2026-01-20",
        weight("2026-01-05"),
        prescription("rx1", "2026-01-05"),
        dispense("d1", "2026-01-06", "rx1"),
    )
    assert periods(result) == {(dt.date(2026, 1, 6), "first_dispense", None)}
    # Dose counts from that day: 6-20 Jan = 15 days x 30 mg = 450 mg (was: status "unknown").
    assert result.dose.status == "on_treatment"
    assert result.dose.cumulative_mg == pytest.approx(450.0)
    assert any("inferred, not recorded" in reason for reason in result.dose.reasons)
    # Monitoring anchors the baseline labs on the same day and says it is inferred.
    baseline = next(item for item in result.monitoring.labs_due if item.step_id == "baseline")
    assert baseline.due_date == dt.date(2026, 1, 6)
    assert "inferred" in baseline.note
    # Programme and schedule: the course runs, so the next cycle is planned for when the
    # supply runs out (6 Jan + 30 days = 5 Feb).
    assert result.programme.treatment.start_event_id == "d1"
    assert any(item.date == dt.date(2026, 2, 5) for item in result.schedule.items)


def test_with_two_course_starts_every_section_takes_the_earliest(knowledge: Knowledge) -> None:
    # The first dose was entered on 5 Jan, then entered again on 19 Jan by another user.
    result = evaluate(
        knowledge,
        "2026-02-01",
        weight("2026-01-05"),
        prescription("rx1", "2026-01-05"),
        dispense("d1", "2026-01-05", "rx1"),
        event("s1", "course_start", "2026-01-05"),
        event("s2", "course_start", "2026-01-19"),
    )
    assert periods(result) == {(dt.date(2026, 1, 5), "course_start", None)}
    # 5 Jan-1 Feb = 28 days x 30 mg = 840 mg (the dose engine used to start on 19 Jan: 420 mg).
    assert result.dose.days_taken == 28
    assert result.dose.cumulative_mg == pytest.approx(840.0)
    assert any("s2" in note and "not used" in note for note in result.programme.treatment.notes)


def test_a_restart_after_a_course_end_reopens_the_course_in_every_section(
    knowledge: Knowledge,
) -> None:
    # First dose 5 Jan, last dose 3 Feb, treatment resumed 5 Mar with a new prescription.
    result = evaluate(
        knowledge,
        "2026-03-14",
        weight("2026-01-05"),
        prescription("rx1", "2026-01-05"),
        dispense("d1", "2026-01-05", "rx1"),
        event("s1", "course_start", "2026-01-05"),
        event("e1", "course_end", "2026-02-03"),
        prescription("rx2", "2026-03-04"),
        dispense("d2", "2026-03-04", "rx2"),
        event("s2", "course_start", "2026-03-05"),
    )
    # Before: dose counted from 5 Mar only, monitoring and programme called it ended on 3 Feb.
    assert periods(result) == {(dt.date(2026, 1, 5), "course_start", None)}
    # Dose: 5 Jan-3 Feb = 30 days and 5-14 Mar = 10 days, 40 x 30 mg = 1200 mg; the 29 days
    # 4 Feb-4 Mar took no dose.
    assert (result.dose.days_taken, result.dose.days_paused) == (40, 29)
    assert result.dose.cumulative_mg == pytest.approx(1200.0)
    # Programme: the after-treatment test waits for a last dose that has not come yet.
    post = next(r for r in result.programme.requirements if r.id == "test.post_treatment")
    assert post.status == "due" and post.due_date is None
    # Monitoring keeps scheduling labs (after a last dose it would list none).
    assert result.monitoring.labs_due
    # Schedule: the next cycle is planned from the new supply (4 Mar + 30 days = 3 Apr).
    assert any(item.date == dt.date(2026, 4, 3) for item in result.schedule.items)


def test_a_course_end_dated_before_the_first_dose_ends_nothing_in_any_section(
    knowledge: Knowledge,
) -> None:
    # A course_end on 1 Jan (a slip, or copied from an old course) before the first dose on
    # 10 Jan. The programme used to read it as the last dose, so on 20 Feb, with the dose
    # section showing her on treatment, it called contraception "not applicable", the blood
    # donation restriction over and the post-treatment test overdue since 1 Feb.
    result = evaluate(
        knowledge,
        "2026-02-20",
        weight("2026-01-05"),
        event("e0", "course_end", "2026-01-01"),
        prescription("rx1", "2026-01-05"),
        dispense("d1", "2026-01-05", "rx1"),
        event("s1", "course_start", "2026-01-10"),
    )
    assert periods(result) == {(dt.date(2026, 1, 10), "course_start", None)}
    assert result.dose.status == "on_treatment"
    post = next(r for r in result.programme.requirements if r.id == "test.post_treatment")
    assert post.status == "due" and post.due_date is None
    contraception = next(r for r in result.programme.requirements if r.id == "contraception")
    assert contraception.status != "not_applicable"
    assert any("e0" in note for note in result.monitoring.treatment.notes)
