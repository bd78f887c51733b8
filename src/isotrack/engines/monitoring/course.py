"""What the monitoring rules need to know about a course: its dates, dose peak and patient.

Only events dated on or before the evaluation date count: a rule never sees the future. The first
and last dose come from the shared :func:`treatment_period` (the same dates as the dose and
programme sections).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from isotrack.domain.events import (
    DoseChanged,
    EventBase,
    PrescriptionWritten,
)
from isotrack.domain.timeline import Timeline, events_of
from isotrack.engines.course_events import category_on, course_on
from isotrack.engines.treatment_period import TreatmentPeriod


@dataclass(frozen=True)
class CourseView:
    """The course as of one day: its events so far and the dates rules are anchored on."""

    timeline: Timeline
    as_of: dt.date
    events: tuple[EventBase, ...]
    period: TreatmentPeriod
    peak_dose_date: dt.date | None
    can_get_pregnant: bool
    current_product: str | None

    @property
    def start(self) -> dt.date | None:
        """First dose (recorded, or inferred from the first dispense: see ``period``)."""
        return self.period.start

    @property
    def end(self) -> dt.date | None:
        """Last dose, when the course has ended."""
        return self.period.end

    @property
    def started(self) -> bool:
        return self.start is not None

    @property
    def on_treatment(self) -> bool:
        """Started and not yet ended on the evaluation date."""
        return self.start is not None and (self.end is None or self.end >= self.as_of)

    def age_years_on(self, day: dt.date) -> int:
        return self.timeline.patient.age_years_on(day)

    @property
    def age_at_start_years(self) -> int:
        """Age at the first dose, or today's age when the course has not started."""
        return self.age_years_on(self.start or self.as_of)


def course_view(timeline: Timeline, as_of: dt.date) -> CourseView:
    """Read the dates and facts the monitoring rules are anchored on (once per timeline and
    day: the clinical holds and the monitoring report read the same view)."""
    return timeline.derived(("monitoring.course_view", as_of), lambda: _view(timeline, as_of))


def _view(timeline: Timeline, as_of: dt.date) -> CourseView:
    events, period = course_on(timeline, as_of)
    return CourseView(
        timeline=timeline,
        as_of=as_of,
        events=events,
        period=period,
        peak_dose_date=_peak_dose_date(events, period.start),
        can_get_pregnant=category_on(timeline, events)[0],
        current_product=_current_product(events),
    )


def _peak_dose_date(events: Sequence[EventBase], start: dt.date | None) -> dt.date | None:
    """First day the highest daily dose of the course so far took effect."""
    if start is None:
        return None
    doses: list[tuple[dt.date, float]] = []
    for event in events:
        if isinstance(event, (PrescriptionWritten, DoseChanged)):
            doses.append((max(event.date, start), event.daily_dose_mg))
    if not doses:
        return None
    peak = max(dose for _, dose in doses)
    return min(day for day, dose in doses if dose == peak)


def _current_product(events: Sequence[EventBase]) -> str | None:
    prescriptions = events_of(events, PrescriptionWritten)
    return prescriptions[-1].product if prescriptions else None
