"""One first dose and one last dose per course (decision 14): the rule every engine reads.

Each case is a timeline a clinic might really produce, odd ones included; the assertion names
the part of the rule it shows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from isotrack.domain.timeline import Timeline
from isotrack.engines.treatment_period import treatment_period_on
from timeline_cases import event, patient, timeline

JAN_5 = dt.date(2026, 1, 5)


def day(offset: int) -> str:
    """ISO date ``offset`` days after 5 Jan 2026."""
    return (JAN_5 + dt.timedelta(days=offset)).isoformat()


def on(offset: int) -> dt.date:
    return JAN_5 + dt.timedelta(days=offset)


def course(*events: dict[str, Any]) -> Timeline:
    carl = patient("pt-carl", "1995-08-01", "male", can_get_pregnant=False)
    return timeline(*events, policy="eu-ppp-2018", patient=carl)


def start(event_id: str, offset: int) -> dict[str, Any]:
    return event(event_id, "course_start", day(offset))


def end(event_id: str, offset: int) -> dict[str, Any]:
    return event(event_id, "course_end", day(offset))


def dispense(event_id: str, offset: int) -> dict[str, Any]:
    return event(event_id, "dispense", day(offset), prescription_id="rx1", days_supply=30)


def test_an_ordinary_course_starts_and_ends_on_its_recorded_doses() -> None:
    period = treatment_period_on(course(dispense("d1", 0), start("s1", 1), end("e1", 120)), on(150))
    assert (period.start, period.start_basis, period.start_event_id) == (
        on(1),
        "course_start",
        "s1",
    )
    assert (period.end, period.end_event_id) == (on(120), "e1")
    assert period.notes == []


def test_before_the_recorded_last_dose_the_course_has_not_ended() -> None:
    # A rule never sees the future: on day 60 the course_end of day 120 has not happened.
    period = treatment_period_on(course(start("s1", 0), end("e1", 120)), on(60))
    assert period.end is None
    assert not period.ended_by(on(60))


def test_a_second_course_start_is_a_duplicate_and_the_earliest_one_counts() -> None:
    period = treatment_period_on(course(start("s1", 0), start("s2", 14)), on(30))
    assert (period.start, period.start_event_id) == (on(0), "s1")
    assert any("s2" in note and "not used" in note for note in period.notes)


def test_without_a_course_start_the_first_dispense_is_an_inferred_start() -> None:
    period = treatment_period_on(course(dispense("d1", 2), dispense("d2", 32)), on(40))
    assert (period.start, period.start_basis, period.start_event_id) == (
        on(2),
        "first_dispense",
        "d1",
    )
    assert period.start_is_inferred
    assert any("inferred, not recorded" in note for note in period.notes)


def test_a_course_start_recorded_after_the_day_means_not_started_yet_despite_a_dispense() -> None:
    # Capsules on day 0, first dose recorded on day 7: on day 3 nothing had been taken.
    timeline_ = course(dispense("d1", 0), start("s1", 7))
    assert treatment_period_on(timeline_, on(3)).start is None
    assert treatment_period_on(timeline_, on(7)).start_basis == "course_start"


def test_a_course_end_before_the_first_dose_is_not_this_courses_end() -> None:
    # A last dose dated before the first one cannot belong to this course: reading it as the
    # end would close a running course (no monthly tests, no labs), so it is left out.
    period = treatment_period_on(course(end("e0", 0), start("s1", 10)), on(40))
    assert (period.start, period.end) == (on(10), None)
    assert any("e0" in note and "before the first dose" in note for note in period.notes)


def test_a_course_end_without_any_start_still_ends_the_course() -> None:
    # A recorded last dose means treatment happened: the after-treatment rules must run.
    period = treatment_period_on(course(end("e1", 30)), on(40))
    assert (period.start, period.start_basis, period.end) == (None, None, on(30))
    assert any("start is unknown" in note for note in period.notes)


def test_a_course_start_after_the_last_dose_reopens_the_course_with_a_break() -> None:
    # First dose day 0, last dose day 60, treatment resumed day 90: on day 100 the patient is on
    # isotretinoin again; days 61-89 (29 days) took no dose.
    period = treatment_period_on(course(start("s1", 0), end("e1", 60), start("s2", 90)), on(100))
    assert (period.start, period.end) == (on(0), None)
    assert [(b.last_dose, b.resumed_on) for b in period.breaks] == [(on(60), on(90))]
    assert sum(period.in_break(on(n)) for n in range(0, 101)) == 29
    # A later course_end closes the reopened course.
    closed = course(start("s1", 0), end("e1", 60), start("s2", 90), end("e2", 150))
    assert treatment_period_on(closed, on(160)).end == on(150)


def test_a_course_start_on_the_day_of_the_last_dose_does_not_reopen_it() -> None:
    period = treatment_period_on(course(start("s1", 0), end("e1", 60), start("s2", 60)), on(70))
    assert period.end == on(60)
    assert period.breaks == []


def test_of_two_course_ends_without_a_restart_the_later_is_the_last_dose() -> None:
    period = treatment_period_on(course(start("s1", 0), end("e1", 60), end("e2", 75)), on(90))
    assert (period.end, period.end_event_id) == (on(75), "e2")


def test_a_voided_course_start_leaves_the_dispense_as_the_inferred_start() -> None:
    voided = event("v1", "void", day(5), target_id="s1", reason="entered on the wrong patient")
    period = treatment_period_on(course(dispense("d1", 0), start("s1", 1), voided), on(10))
    assert (period.start, period.start_basis) == (on(0), "first_dispense")
