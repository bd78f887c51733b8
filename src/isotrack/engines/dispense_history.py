"""Every dispense of a course judged as the course stood when it was handed over.

The population audit asks, for each dispense, what the programme's dispense decision would
have been on its day and which labs and mood screens were overdue, on the record as it stood
before the dispense was recorded (decision 34): the events recorded before it, never the
dispense itself nor what came after. :func:`judge_dispenses` answers for every dispense of a
course at once, the same answers as :func:`decide_dispense` and :func:`overdue_alerts` give on
each prefix, with what depends on one event alone (a lab result read and converted, its grade,
a stop-rule series) worked out once for the course rather than once per dispense.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from isotrack.domain.events import Dispensed
from isotrack.domain.timeline import Timeline, effective_events, events_of
from isotrack.engines.course_prefix import course_prefix
from isotrack.engines.monitoring.alerts import Alert
from isotrack.engines.monitoring.course import course_view
from isotrack.engines.monitoring.overdue import overdue_alerts
from isotrack.engines.programme.decision import decide_dispense
from isotrack.engines.programme.report import DispenseDecision
from isotrack.knowledge import Knowledge


@dataclass(frozen=True)
class JudgedDispense:
    """One dispense, the decision the programme would have given on its day, and the overdue
    labs and mood screens then (``LAB_OVERDUE``, ``MOOD_SCREEN_OVERDUE``)."""

    dispense: Dispensed
    decision: DispenseDecision
    overdue: list[Alert]
    knowledge: Knowledge  # the base it was judged with (a clinic's settings as they stood)


def judge_dispenses(
    knowledge: Knowledge,
    timeline: Timeline,
    until: dt.date,
    in_force: Callable[[Dispensed], Knowledge] | None = None,
) -> list[JudgedDispense]:
    """Each effective dispense dated on or before ``until``, in date order, judged on the events
    recorded before it; with the base ``in_force`` gives for that dispense where the clinic's
    programme settings changed over the course (else ``knowledge``)."""
    position = {event.id: index for index, event in enumerate(timeline.events)}
    dispenses = events_of(
        [event for event in effective_events(timeline) if event.date <= until], Dispensed
    )
    judged: list[JudgedDispense] = []
    for dispense in dispenses:
        judged_with = knowledge if in_force is None else in_force(dispense)
        before = course_prefix(timeline, position[dispense.id])
        decision = decide_dispense(judged_with, before, dispense.date, dispense.prescription_id)
        overdue = overdue_alerts(judged_with, course_view(before, dispense.date))
        judged.append(JudgedDispense(dispense, decision, overdue, judged_with))
    return judged
