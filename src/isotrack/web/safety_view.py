"""Clinical safety as the pages show it: holds, each alert's history, the pregnancy exposure
record and the patient's crisis guidance, worded for people (alert ids stay in attributes)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from isotrack.domain.timeline import Timeline
from isotrack.engines.holds import (
    CrisisGuidance,
    PregnancyExposure,
    SafetyStatus,
    TrackedAlert,
    clinical_safety,
    mood_crisis_guidance,
    pregnancy_exposure,
)
from isotrack.knowledge import Knowledge
from isotrack.knowledge.model import Source
from isotrack.knowledge.safety import hold_rule_by_code
from isotrack.web.history import SourceRef, source_refs

ITEM9_CODE = "MOOD_SUICIDAL_IDEATION"  # engines.monitoring.mood.ITEM9_CODE: first on every list

OUTCOME_TEXT = {
    "continue": "continue treatment (hold lifted)",
    "hold": "keep on hold",
    "stop": "stop the course",
}
STATE_TEXT = {
    "open": "open — needs a prescriber's review",
    "reviewed": "reviewed",
    "resolved": "resolved",
    "superseded": "replaced by a newer result",
}


@dataclass(frozen=True)
class ReviewText:
    reviewed_on: dt.date
    reviewed_by: str
    outcome: str
    outcome_text: str
    note: str


@dataclass(frozen=True)
class AlertRow:
    """One holding alert with its lifecycle; ``alert_id`` goes into attributes, never text."""

    alert_id: str
    code: str
    severity: str
    message: str
    action: str
    raised_on: dt.date
    state: str
    state_text: str
    holding: bool
    review: ReviewText | None
    resolved_on: dt.date | None
    note: str
    sources: list[SourceRef]
    review_can_lift: bool = True  # a pregnancy hold is lifted by no review (decision 21)

    @property
    def item9(self) -> bool:
        return self.code == ITEM9_CODE


@dataclass(frozen=True)
class HoldRow:
    alert_id: str
    date: dt.date
    message: str
    action: str
    state: str


@dataclass
class SafetyView:
    course_status: str
    holds: list[HoldRow] = field(default_factory=list)
    alerts: list[AlertRow] = field(default_factory=list)
    exposure: PregnancyExposure | None = None
    crisis: CrisisGuidance | None = None

    @property
    def open_alerts(self) -> list[AlertRow]:
        """Alerts that still hold the course, an item-9 answer first, then oldest first."""
        return sorted(
            (a for a in self.alerts if a.holding), key=lambda a: (not a.item9, a.raised_on)
        )


def _row(
    sources: Mapping[str, Source], tracked: TrackedAlert, can_lift: Mapping[str, bool]
) -> AlertRow:
    review = None
    if tracked.review is not None:
        r = tracked.review
        review = ReviewText(
            r.reviewed_on, r.reviewed_by or "unknown", r.outcome,
            OUTCOME_TEXT.get(r.outcome, r.outcome), r.note,
        )  # fmt: skip
    state_text = STATE_TEXT.get(tracked.state, tracked.state)
    if tracked.state == "reviewed" and tracked.holding:
        state_text = "reviewed — still on hold"
    return AlertRow(
        alert_id=tracked.alert.id,
        code=tracked.alert.code,
        severity=str(tracked.alert.severity),
        message=tracked.alert.message,
        action=tracked.alert.action,
        raised_on=tracked.raised_on,
        state=tracked.state,
        state_text=state_text,
        holding=tracked.holding,
        review=review,
        resolved_on=tracked.resolved_on,
        note=tracked.note,
        sources=source_refs(sources, tracked.alert.source_ids),
        review_can_lift=can_lift.get(tracked.alert.code, True),
    )


def safety_view(
    knowledge: Knowledge, timeline: Timeline, as_of: dt.date, *, for_patient: bool = False
) -> SafetyView:
    """Holds and alert history; the exposure record for the clinic, crisis guidance for all."""
    status: SafetyStatus = clinical_safety(knowledge, timeline, as_of)
    view = SafetyView(course_status=status.course_status)
    can_lift = {code: rule.review_can_lift for code, rule in hold_rule_by_code(knowledge).items()}
    view.holds = [
        HoldRow(h.alert_id, h.date, h.message, h.action, h.state) for h in status.clinical_holds
    ]
    view.alerts = sorted(
        (_row(knowledge.sources, t, can_lift) for t in status.alerts),
        key=lambda a: (not a.holding, not a.item9, a.raised_on),
    )
    view.crisis = mood_crisis_guidance(knowledge, timeline, as_of)
    if not for_patient:
        view.exposure = pregnancy_exposure(knowledge, timeline, as_of)
    return view
