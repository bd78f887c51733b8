"""What every engine reads the same way from a timeline on a given day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from isotrack.domain.events import CategoryAssigned, Enrolled, EventBase
from isotrack.domain.timeline import Timeline
from isotrack.engines.snapshot import course_snapshot
from isotrack.engines.treatment_period import TreatmentPeriod


def events_on(timeline: Timeline, day: dt.date) -> tuple[EventBase, ...]:
    """The effective events dated on or before ``day``: a rule never sees the future."""
    return course_snapshot(timeline, day).events


def course_on(timeline: Timeline, day: dt.date) -> tuple[tuple[EventBase, ...], TreatmentPeriod]:
    """:func:`events_on` and the course's first and last dose on ``day`` (decision 14).

    Both come from the course snapshot of that day, worked out once and shared by every engine.
    """
    snapshot = course_snapshot(timeline, day)
    return snapshot.events, snapshot.period


def category_on(timeline: Timeline, events: Sequence[EventBase]) -> tuple[bool, list[str]]:
    """Whether the patient can get pregnant, and the event that says so (none: the patient record).

    The latest category or enrolment event that names a category wins over the patient record.
    """
    value = timeline.patient.can_get_pregnant
    event_ids: list[str] = []
    for event in events:
        category = event.category if isinstance(event, (CategoryAssigned, Enrolled)) else None
        if category is not None:
            value = category == "can_get_pregnant"
            event_ids = [event.id]
    return value, event_ids
