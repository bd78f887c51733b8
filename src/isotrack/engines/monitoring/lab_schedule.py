"""Which lab tests are due or overdue under the policy's ``lab_schedule`` position.

Steps are anchored on the first dose (or, for the Delphi consensus, the day the peak dose
began). Nothing is scheduled after the last dose. A step is done when every one of its tests
has a result inside its window; otherwise it is listed as upcoming, due or overdue, and an
overdue step is also an alert.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict

from isotrack.engines.monitoring.alerts import Alert, merge_sources
from isotrack.engines.monitoring.course import CourseView
from isotrack.engines.monitoring.lab_readings import unreadable_lab_results
from isotrack.engines.monitoring.lab_units import LabReading, resolve_test
from isotrack.engines.monitoring.policy_choice import PolicyChoice
from isotrack.engines.periods import fact_days
from isotrack.knowledge import Knowledge
from isotrack.knowledge.monitoring import LabSchedule, LabScheduleStep, Severity, lab_schedules

LabDueStatus = Literal["upcoming", "due", "overdue", "unknown"]

# How early a test may be drawn and still count for a fixed time point.
EARLY_FACT = "labs.schedule.window_days"


class LabDue(BaseModel):
    """One scheduled set of tests that has not been done yet."""

    model_config = ConfigDict(frozen=True)

    schedule: str
    step_id: str
    label: str
    tests: list[str]
    missing_tests: list[str]
    status: LabDueStatus
    due_date: dt.date | None
    window_start: dt.date | None
    window_end: dt.date | None
    source_ids: list[str]
    note: str = ""


def _step_sources(knowledge: Knowledge, schedule: LabSchedule, step: LabScheduleStep) -> list[str]:
    fact_ids = [step.offset_fact, step.repeat_every_fact, step.lookback_fact, step.window_fact]
    return merge_sources(
        schedule.source_ids,
        *(knowledge.fact(f).source_ids for f in fact_ids if f is not None),
    )


def _missing(
    step: LabScheduleStep, readings: Sequence[LabReading], start: dt.date | None, end: dt.date
) -> list[str]:
    done = {r.test_id for r in readings if (start is None or r.date >= start) and r.date <= end}
    return [t for t in step.tests if t not in done]


def _status(as_of: dt.date, due: dt.date, window_end: dt.date) -> LabDueStatus:
    if as_of < due:
        return "upcoming"
    return "due" if as_of <= window_end else "overdue"


def _pending(
    schedule: LabSchedule,
    step: LabScheduleStep,
    sources: list[str],
    missing: list[str],
    status: LabDueStatus,
    window: tuple[dt.date | None, dt.date | None],
    due_date: dt.date | None = None,
    note: str = "",
) -> LabDue:
    return LabDue(
        schedule=schedule.id,
        step_id=step.id,
        label=step.label,
        tests=list(step.tests),
        missing_tests=missing,
        status=status,
        due_date=due_date,
        window_start=window[0],
        window_end=window[1],
        source_ids=sources,
        note=note,
    )


def _lookback_start(knowledge: Knowledge, step: LabScheduleStep, anchor: dt.date) -> dt.date | None:
    """The oldest result date a baseline step accepts (any age without a lookback fact)."""
    if step.lookback_fact is None:
        return None
    return anchor - dt.timedelta(days=fact_days(knowledge, step.lookback_fact))


def _baseline(
    knowledge: Knowledge,
    schedule: LabSchedule,
    step: LabScheduleStep,
    readings: Sequence[LabReading],
    course: CourseView,
) -> list[LabDue]:
    sources = _step_sources(knowledge, schedule, step)
    if course.start is None:
        # Before the first dose: due now; a result counts if recent enough for the lookback.
        earliest = _lookback_start(knowledge, step, course.as_of)
        missing = _missing(step, readings, earliest, course.as_of)
        if not missing:
            return []
        return [
            _pending(
                schedule,
                step,
                sources,
                missing,
                "due",
                (earliest, None),
                note="before the first dose",
            )
        ]
    assert step.window_fact is not None
    window_end = course.start + dt.timedelta(days=fact_days(knowledge, step.window_fact))
    earliest = _lookback_start(knowledge, step, course.start)
    missing = _missing(step, readings, earliest, min(window_end, course.as_of))
    if not missing:
        return []
    status = _status(course.as_of, course.start, window_end)
    return [
        _pending(
            schedule,
            step,
            sources,
            missing,
            status,
            (earliest, window_end),
            due_date=course.start,
            note="baseline: before the first dose"
            + (" (inferred from the first dispense)" if course.period.start_is_inferred else ""),
        )
    ]


def _anchor(step: LabScheduleStep, course: CourseView) -> dt.date | None:
    return course.start if step.anchor == "course_start" else course.peak_dose_date


def _after(
    knowledge: Knowledge,
    schedule: LabSchedule,
    step: LabScheduleStep,
    readings: Sequence[LabReading],
    course: CourseView,
) -> list[LabDue]:
    sources = _step_sources(knowledge, schedule, step)
    if course.start is None:
        return []
    anchor = _anchor(step, course)
    if anchor is None:
        return [
            _pending(
                schedule,
                step,
                sources,
                list(step.tests),
                "unknown",
                (None, None),
                note="the day this is anchored on is not known (no recorded daily dose)",
            )
        ]
    offset_fact = knowledge.fact(step.offset_fact) if step.offset_fact else None
    if offset_fact is not None and offset_fact.low is not None:
        first_due = anchor + dt.timedelta(days=fact_days(knowledge, offset_fact.id, "low"))
        span = fact_days(knowledge, offset_fact.id, "high") - fact_days(
            knowledge, offset_fact.id, "low"
        )
        early = 0
    else:
        offset = fact_days(knowledge, offset_fact.id) if offset_fact else 0
        first_due = anchor + dt.timedelta(days=offset)
        assert step.window_fact is not None
        span = fact_days(knowledge, step.window_fact)
        early = fact_days(knowledge, EARLY_FACT)
    repeat = fact_days(knowledge, step.repeat_every_fact) if step.repeat_every_fact else None
    last_day = course.end  # nothing is scheduled after the last dose
    pending: list[LabDue] = []
    due = first_due
    while last_day is None or due <= last_day:
        window_start = due - dt.timedelta(days=early)
        window_end = due + dt.timedelta(days=span)
        missing = _missing(step, readings, window_start, min(window_end, course.as_of))
        status = _status(course.as_of, due, window_end)
        if missing:
            pending.append(
                _pending(
                    schedule,
                    step,
                    sources,
                    missing,
                    status,
                    (window_start, window_end),
                    due_date=due,
                )
            )
        if repeat is None or status == "upcoming":
            break  # list only the next occurrence still ahead
        due = due + dt.timedelta(days=repeat)
    return pending


def labs_due(
    knowledge: Knowledge,
    readings: Sequence[LabReading],
    course: CourseView,
    choice: PolicyChoice | None,
) -> tuple[list[LabDue], list[Alert]]:
    """Outstanding lab steps under the chosen schedule, and an alert per overdue one."""
    if choice is None:
        return [], [
            Alert(
                severity=Severity.INFO,
                code="LAB_SCHEDULE_UNKNOWN",
                topic="policy",
                message="The policy takes no position on the lab schedule; no labs are scheduled.",
                action="Choose a lab schedule for this policy.",
            )
        ]
    schedule = lab_schedules(knowledge).get(choice.position)
    if schedule is None:
        return [], [
            Alert(
                severity=Severity.INFO,
                code="LAB_SCHEDULE_NOT_IMPLEMENTED",
                topic="policy",
                message=f"No lab schedule is defined for position {choice.position!r}.",
                action="Schedule labs clinically.",
                source_ids=choice.source_ids,
            )
        ]
    if course.end is not None and course.as_of > course.end:
        return [], []  # treatment is over; no source monitors labs after the last dose
    items: list[LabDue] = []
    for step in schedule.steps:
        if step.timing == "before":
            items.extend(_baseline(knowledge, schedule, step, readings, course))
        else:
            items.extend(_after(knowledge, schedule, step, readings, course))
    items = [_unknown_if_unreadable(knowledge, item, course) for item in items]
    alerts = [
        Alert(
            severity=Severity.WARNING,
            code="LAB_OVERDUE",
            topic="labs",
            message=(
                f"Overdue labs ({schedule.title}, chosen by {choice.chosen_by!r}): {item.label}; "
                f"due {item.due_date}, window ended {item.window_end}; "
                f"missing {', '.join(item.missing_tests)}."
            ),
            action="Request the missing tests now.",
            source_ids=item.source_ids,
        )
        for item in items
        if item.status == "overdue"
    ]
    return items, alerts


def _unknown_if_unreadable(knowledge: Knowledge, item: LabDue, course: CourseView) -> LabDue:
    """A step whose missing test has a result that could not be read is ``unknown``: the result
    may well meet it, and missing data is never taken as done nor as missing."""
    end = min(item.window_end or course.as_of, course.as_of)
    unreadable: list[str] = []
    for event in unreadable_lab_results(knowledge, course):
        resolved = resolve_test(knowledge, event.test)
        if resolved is None or resolved[0].id not in item.missing_tests:
            continue
        if (item.window_start is None or event.date >= item.window_start) and event.date <= end:
            unreadable.append(f"{event.test} {event.value:g} {event.unit} of {event.date}")
    if not unreadable:
        return item
    note = "not checked: a result could not be read (" + "; ".join(unreadable) + ")"
    return item.model_copy(
        update={"status": "unknown", "note": f"{item.note}; {note}" if item.note else note}
    )
