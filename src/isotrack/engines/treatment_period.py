"""When a course started and ended: one answer, read the same way by every engine.

The dose, programme, monitoring and schedule engines all anchor rules on the first and the last
dose. Each used to read them on its own (first or latest ``course_start``, a dispense as the start
in one engine and "unknown" in another), so one ``evaluate`` output could contradict itself. They
now all call :func:`treatment_period`. The rules are isotrack decision 14 (docs/decisions.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from isotrack.domain.events import CourseEnded, CourseStarted, Dispensed, EventBase
from isotrack.domain.timeline import Timeline, derived_of_events, effective_events, events_of

StartBasis = Literal["course_start", "first_dispense"]


class TreatmentBreak(BaseModel):
    """Days without isotretinoin between a recorded last dose and a later recorded restart."""

    model_config = ConfigDict(frozen=True)

    last_dose: dt.date
    resumed_on: dt.date
    event_ids: list[str]

    def covers(self, day: dt.date) -> bool:
        """True on the days strictly between the last dose and the restart."""
        return self.last_dose < day < self.resumed_on


class TreatmentPeriod(BaseModel):
    """The course's first and last dose as of one day, and what each date rests on."""

    model_config = ConfigDict(frozen=True)

    start: dt.date | None = Field(description="first dose; null: not started or not known")
    start_basis: StartBasis | None = Field(
        description="course_start: recorded; first_dispense: inferred from the first dispense"
    )
    start_event_id: str | None
    end: dt.date | None = Field(description="last dose; null: not ended (or restarted since)")
    end_event_id: str | None
    breaks: list[TreatmentBreak] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)

    @property
    def started(self) -> bool:
        return self.start is not None

    @property
    def start_is_inferred(self) -> bool:
        return self.start_basis == "first_dispense"

    def ended_by(self, day: dt.date) -> bool:
        """True when the last dose was taken on or before ``day``."""
        return self.end is not None and self.end <= day

    def in_break(self, day: dt.date) -> bool:
        """True when ``day`` falls between a recorded last dose and a recorded restart."""
        return any(gap.covers(day) for gap in self.breaks)


def treatment_period(events: Sequence[EventBase], on: dt.date) -> TreatmentPeriod:
    """The first and last dose of the course as they stand on ``on`` (worked out once per event
    tuple and day: the snapshot, dose, response and course engines ask for the same one).

    ``events`` are the course's effective events in date order (``effective_events``); events
    dated after ``on`` may be included and are not used, except as stated below.

    - **Start**: the earliest ``course_start`` on or before ``on`` (basis ``course_start``). A
      later ``course_start`` without a ``course_end`` before it is a duplicate entry: it is
      not used, and a note says so.
    - **No course_start anywhere in the record**: the first dispense on or before ``on`` is
      taken as the first dose, basis ``first_dispense``. It is an inference (the earliest day
      the patient could have started), and every output that shows the start says so.
    - **A course_start recorded only after ``on``**: the record itself says the first dose came
      later, so the course had not started on ``on``, even if capsules were dispensed before;
      no start is inferred.
    - **End**: the latest ``course_end`` on or after the start and on or before ``on``. A
      ``course_end`` dated before the first recorded (or inferred) start cannot be this
      course's last dose; it is not used, and a note says so.
    - **A course_start dated after a course_end** (both on or before ``on``): treatment
      resumed. The course is open again (no end) unless a later ``course_end`` follows; the
      days strictly between the last dose and the restart are a break in which no dose is
      taken. A ``course_start`` on the same day as the ``course_end`` does not reopen it.
    - **A course_end with no course_start and no dispense at all**: a last dose is recorded, so
      treatment happened and is over; the end stands with an unknown start, so the rules that
      run after the last dose (contraception, pregnancy tests) still apply.
    """
    if isinstance(events, tuple):
        return derived_of_events(events, ("treatment_period", on), lambda: _period(events, on))
    return _period(events, on)


def _period(events: Sequence[EventBase], on: dt.date) -> TreatmentPeriod:
    first_recorded = next(iter(events_of(events, CourseStarted)), None)
    known = [e for e in events if e.date <= on]
    notes: list[str] = []
    start_event: EventBase | None = None
    basis: StartBasis | None = None
    if first_recorded is not None:
        if first_recorded.date <= on:
            start_event, basis = first_recorded, "course_start"
    else:
        first_dispense = next(iter(events_of(known, Dispensed)), None)
        if first_dispense is not None:
            start_event, basis = first_dispense, "first_dispense"
            notes.append(
                f"No course start is recorded: the first dose is taken to be the first "
                f"dispense, on {first_dispense.date.isoformat()}. This date is inferred, not "
                "recorded."
            )
    # The earliest day a last dose of this course can fall on.
    earliest = first_recorded.date if first_recorded is not None else None
    if start_event is not None:
        earliest = start_event.date

    end_event: CourseEnded | None = None
    breaks: list[TreatmentBreak] = []
    for event in known:
        if isinstance(event, CourseEnded):
            if earliest is not None and event.date < earliest:
                notes.append(
                    f"course_end {event.id} on {event.date.isoformat()} is dated before the "
                    f"first dose ({earliest.isoformat()}): it is not this course's last dose "
                    "and is not used."
                )
                continue
            if end_event is not None:
                notes.append(
                    f"course_end {end_event.id} on {end_event.date.isoformat()} is followed by "
                    f"course_end {event.id} on {event.date.isoformat()} with no course_start "
                    "between: the later one is the last dose."
                )
            end_event = event
        elif isinstance(event, CourseStarted) and event is not start_event:
            if end_event is not None and event.date > end_event.date:
                breaks.append(
                    TreatmentBreak(
                        last_dose=end_event.date,
                        resumed_on=event.date,
                        event_ids=[end_event.id, event.id],
                    )
                )
                notes.append(
                    f"course_start {event.id} on {event.date.isoformat()} restarts treatment "
                    f"after the last dose on {end_event.date.isoformat()} ({end_event.id}): the "
                    "course is open again and no dose is counted between those dates."
                )
                end_event = None
            elif end_event is not None:
                notes.append(
                    f"course_start {event.id} on {event.date.isoformat()} falls on the day of "
                    f"the last dose ({end_event.id}): it does not reopen the course."
                )
            elif start_event is not None:
                notes.append(
                    f"course_start {event.id} on {event.date.isoformat()} repeats the first "
                    f"dose already recorded on {start_event.date.isoformat()} "
                    f"({start_event.id}): the first one is the start; this one is not used."
                )
    if start_event is None and end_event is not None:
        notes.append(
            f"course_end {end_event.id} records a last dose on {end_event.date.isoformat()}, but "
            "no course_start or dispense records when treatment began: the start is unknown."
        )
    return TreatmentPeriod(
        start=start_event.date if start_event is not None else None,
        start_basis=basis,
        start_event_id=start_event.id if start_event is not None else None,
        end=end_event.date if end_event is not None else None,
        end_event_id=end_event.id if end_event is not None else None,
        breaks=breaks,
        notes=notes,
    )


def treatment_period_on(timeline: Timeline, on: dt.date) -> TreatmentPeriod:
    """:func:`treatment_period` of a whole timeline (voids and amendments applied), worked out
    once per timeline and day."""
    return timeline.derived(
        ("treatment_period", on), lambda: treatment_period(effective_events(timeline), on)
    )
