"""A course's lab results read once: each result resolved to its test and converted to the
test's unit, or named as not checked; the latest per test and the baseline."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from isotrack.domain.errors import IsotrackInputError
from isotrack.domain.events import LabResultRecorded
from isotrack.domain.timeline import events_of
from isotrack.engines.course_prefix import Answers, per_event, shared_answers
from isotrack.engines.monitoring.alerts import Alert
from isotrack.engines.monitoring.course import CourseView
from isotrack.engines.monitoring.lab_units import LabReading, check_lab_result
from isotrack.engines.snapshot import with_knowledge
from isotrack.knowledge import Knowledge
from isotrack.knowledge.monitoring import Severity, lab_tests


def read_results(knowledge: Knowledge, course: CourseView) -> tuple[list[LabReading], list[Alert]]:
    """Every readable lab result in date order, and an alert for each one that is not.

    One result that cannot be read never stops the others: it is named (test, value, unit,
    date) as not checked, and a schedule step it would have met stays ``unknown``. Read once per
    course view and knowledge base (the holds, the overdue checks and the report share it).
    """
    readings, alerts = with_knowledge(
        course.timeline,
        knowledge,
        ("monitoring.lab_readings", course.as_of),
        lambda: _read_results(knowledge, course),
    )
    return list(readings), list(alerts)


def _read_results(
    knowledge: Knowledge, course: CourseView
) -> tuple[tuple[LabReading, ...], tuple[Alert, ...]]:
    readings: list[LabReading] = []
    alerts: list[Alert] = []
    answers = shared_answers(course.timeline)
    for event in events_of(course.events, LabResultRecorded):
        reading, found = _read_once(knowledge, answers, event)
        if reading is not None:
            readings.append(reading)
        alerts.extend(found)
    return tuple(readings), tuple(alerts)


def unreadable_lab_results(knowledge: Knowledge, course: CourseView) -> list[LabResultRecorded]:
    """The lab results of the course view that cannot be read (unknown test or unit)."""
    answers = shared_answers(course.timeline)
    return [
        event
        for event in events_of(course.events, LabResultRecorded)
        if _read_once(knowledge, answers, event)[0] is None
    ]


def _read_once(
    knowledge: Knowledge, answers: Answers, event: LabResultRecorded
) -> tuple[LabReading | None, tuple[Alert, ...]]:
    """One result read once for the course and every prefix of it (``course_prefix``): how a
    result reads depends on the result alone."""
    return per_event(answers, knowledge, "lab_reading", event, partial(_read_one, knowledge, event))


def _read_one(
    knowledge: Knowledge, event: LabResultRecorded
) -> tuple[LabReading | None, tuple[Alert, ...]]:
    """The reading of one result and its alerts, or no reading and why it was not checked."""
    try:
        reading = check_lab_result(knowledge, event)
    except IsotrackInputError as exc:
        return None, (
            Alert(
                severity=Severity.WARNING,
                code="LAB_RESULT_UNREADABLE",
                topic="labs",
                message=f"Lab result {event.test} {event.value:g} {event.unit} of "
                f"{event.date.isoformat()} was not checked: "
                + "; ".join(p.message() for p in exc.problems),
                action="Correct the result (amend the event) so it can be checked.",
                event_ids=[event.id],
            ),
        )
    if not reading.coding_warning:
        return reading, ()
    return reading, (
        Alert(
            severity=Severity.INFO,
            code="LAB_CODE_UNIT_MISMATCH",
            topic="labs",
            message=f"{describe_reading(reading)}: {reading.coding_warning}.",
            action="Ask the laboratory (or the interface) to send the code that matches the unit.",
            source_ids=list(lab_tests(knowledge)[reading.test_id].source_ids),
            event_ids=[reading.event_id],
        ),
    )


def latest_by_test(readings: Sequence[LabReading]) -> dict[str, LabReading]:
    latest: dict[str, LabReading] = {}
    for reading in readings:
        latest[reading.test_id] = reading
    return latest


def baseline_by_test(readings: Sequence[LabReading], course: CourseView) -> dict[str, LabReading]:
    """Latest result of each test on or before the first dose (none before the course starts)."""
    if course.start is None:
        return {}
    return latest_by_test([r for r in readings if r.date <= course.start])


def describe_reading(reading: LabReading) -> str:
    """The result as a person reads it: test, value as reported (and converted), date."""
    shown = f"{reading.reported_value:g} {reading.reported_unit}"
    if reading.reported_unit != reading.unit:
        shown += f" (= {reading.value:.4g} {reading.unit})"
    return f"{reading.test_name} {shown} on {reading.date.isoformat()}"
