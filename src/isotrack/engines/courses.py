"""Where one course ends and the next begins, so cumulative dose is counted per course.

The EU SmPC treats a relapse with a second course given "the same cumulative dose" again, and
every label asks for a drug-free gap before one (disagreement ``second_course_wait``). isotrack
reads a restart (a ``course_start`` after a recorded ``course_end``) as a **new course** when the
gap since the last dose is at least the policy's ``second_course_wait``; a shorter gap is an
interruption of the same course (decision 14 still counts it as a break). With no position in
the policy, the shortest wait any source gives is used. Earlier courses are reported beside the
current one, never added to it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from isotrack.domain.events import (
    CourseEnded,
    CourseStarted,
    Dispensed,
    DoseChanged,
    DoseMissed,
    EventBase,
    PrescriptionWritten,
    TreatmentPaused,
    TreatmentResumed,
)
from isotrack.domain.timeline import Timeline, effective_events
from isotrack.engines.periods import add_months
from isotrack.engines.treatment_period import TreatmentBreak, treatment_period
from isotrack.knowledge import Knowledge
from isotrack.knowledge.model import Position
from isotrack.knowledge.units import normalise_unit, unit_registry

SECOND_COURSE_WAIT = "second_course_wait"
# Events that belong to one course's dosing; weights, labs and the rest carry across.
DOSING_EVENTS = (
    CourseStarted,
    CourseEnded,
    PrescriptionWritten,
    Dispensed,
    DoseChanged,
    DoseMissed,
    TreatmentPaused,
    TreatmentResumed,
)


class EarlierCourse(BaseModel):
    """A course before the current one, shown beside it (its dose is not carried over)."""

    model_config = ConfigDict(frozen=True)

    number: int
    start: dt.date | None
    last_dose: dt.date
    cumulative_mg: float | None
    cumulative_mg_per_kg: float | None


def _wait_position(knowledge: Knowledge, policy_id: str) -> Position | None:
    disagreement = knowledge.disagreements.get(SECOND_COURSE_WAIT)
    if disagreement is None:
        return None
    chosen = None
    if policy_id in knowledge.policies:
        chosen = knowledge.policy(policy_id).positions.get(SECOND_COURSE_WAIT)
    if chosen is not None:
        return disagreement.position(chosen)
    dated = [p for p in disagreement.positions if p.value is not None and p.unit]
    return min(dated, key=_approximate_days, default=None)


def _approximate_days(position: Position) -> float:
    """The wait in days (a month at its average length), only to pick the shortest wait."""
    quantity = unit_registry().Quantity(position.value or 0, normalise_unit(position.unit or "day"))
    return float(quantity.to("day").magnitude)


def _after(day: dt.date, position: Position) -> dt.date:
    """``day`` moved on by the position's wait: calendar months, or a fixed number of days."""
    if position.unit in ("month", "months"):
        return add_months(day, int(position.value or 0))
    return day + dt.timedelta(days=round(_approximate_days(position)))


def new_course_breaks(
    knowledge: Knowledge, timeline: Timeline, as_of: dt.date
) -> list[TreatmentBreak]:
    """The restarts on or before ``as_of`` that begin a new course, oldest first."""
    period = treatment_period(effective_events(timeline), as_of)
    position = _wait_position(knowledge, timeline.policy)
    if position is None:
        return []
    return [gap for gap in period.breaks if gap.resumed_on >= _after(gap.last_dose, position)]


def current_course_events(
    knowledge: Knowledge, timeline: Timeline, as_of: dt.date
) -> tuple[EventBase, ...]:
    """The timeline's effective events with earlier courses' dosing events left out."""
    events = effective_events(timeline)
    breaks = new_course_breaks(knowledge, timeline, as_of)
    if not breaks:
        return events
    boundary = breaks[-1].last_dose
    return tuple(e for e in events if not (isinstance(e, DOSING_EVENTS) and e.date <= boundary))


def course_slices(
    knowledge: Knowledge, timeline: Timeline, as_of: dt.date
) -> list[tuple[int, dt.date, Sequence[EventBase]]]:
    """Each earlier course as (number, last dose, its events), oldest first."""
    events = effective_events(timeline)
    slices: list[tuple[int, dt.date, Sequence[EventBase]]] = []
    previous: dt.date | None = None
    for number, gap in enumerate(new_course_breaks(knowledge, timeline, as_of), start=1):
        kept = [
            e
            for e in events
            if e.date <= gap.last_dose
            and not (isinstance(e, DOSING_EVENTS) and previous is not None and e.date <= previous)
        ]
        slices.append((number, gap.last_dose, kept))
        previous = gap.last_dose
    return slices
