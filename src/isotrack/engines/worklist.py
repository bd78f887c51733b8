"""Where one course stands on a day, in the few words a prescriber's today list needs.

The store keeps one such entry per course (``store/worklist.py``), rewritten with every event
and once a day for what the calendar alone changes, so the today page reads rows instead of
running every engine for every patient.
"""

from __future__ import annotations

import datetime as dt

from isotrack.domain.errors import IsotrackInputError
from isotrack.domain.events import Dispensed
from isotrack.domain.timeline import Timeline, effective_events, events_of
from isotrack.domain.worklist_entry import WorklistEntry, WorklistStatus
from isotrack.engines.monitoring import evaluate_monitoring
from isotrack.engines.monitoring.mood import ITEM9_CODE
from isotrack.engines.programme import evaluate_programme
from isotrack.engines.programme.report import BLOCKING_STATUSES
from isotrack.engines.schedule import schedule_from_report
from isotrack.knowledge import Knowledge
from isotrack.knowledge.monitoring import Severity


def _waiting(timeline: Timeline, prescription_id: str | None) -> bool:
    """A prescription written and not yet dispensed: the pharmacy is waiting on it."""
    if not prescription_id:
        return False
    dispensed = events_of(effective_events(timeline), Dispensed)
    return not any(d.prescription_id == prescription_id for d in dispensed)


def worklist_entry(knowledge: Knowledge, timeline: Timeline, as_of: dt.date) -> WorklistEntry:
    """The course's entry on ``as_of``; a course the engines cannot read is ``unreadable``
    (never "on track": missing data is unknown)."""
    try:
        programme = evaluate_programme(knowledge, timeline, as_of)
        monitoring = evaluate_monitoring(knowledge, timeline, as_of)
    except IsotrackInputError:
        return WorklistEntry(as_of, "unreadable", None, 0, 0, 0, "")
    decision = programme.dispense_decision
    holds = len(decision.clinical_holds)
    critical = sum(1 for a in monitoring.alerts if a.severity is Severity.CRITICAL)
    warnings = sum(1 for a in monitoring.alerts if a.severity is Severity.WARNING)
    blocking = next(
        (
            r.title
            for r in programme.requirements
            if r.status in BLOCKING_STATUSES and r.gates_dispense
        ),
        "",
    )
    schedule = schedule_from_report(knowledge, timeline, programme)
    upcoming = sorted(item.sort_key for item in schedule.items)
    next_due = next((day for day in upcoming if day != dt.date.max), None)
    status: WorklistStatus
    if critical:
        status = "critical"
    elif decision.course_status.startswith("stopped"):
        status = "stopped"
    elif holds:
        status = "on_hold"
    elif _waiting(timeline, decision.prescription_id) and not decision.authorized:
        status = "blocked"
    elif any(r.status in BLOCKING_STATUSES for r in programme.requirements):
        status = "overdue"
    elif next_due is not None and next_due <= as_of:
        status = "due"
    else:
        status = "on_track"
    raised = [h.date for h in decision.clinical_holds]
    lapsed = [r for r in programme.requirements if r.no_longer_applies_since is not None]
    return WorklistEntry(
        as_of, status, next_due, critical + warnings, critical, holds, blocking,
        hold_item9=any(h.code == ITEM9_CODE for h in decision.clinical_holds),
        hold_since=min(raised) if raised else None,
        no_longer_applies=tuple(r.id for r in lapsed),
        treatment_began=min((r.no_longer_applies_since for r in lapsed
                             if r.no_longer_applies_since), default=None),
    )  # fmt: skip
