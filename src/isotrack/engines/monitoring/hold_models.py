"""Output models of clinical holds: each holding alert with its lifecycle, and the holds."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from isotrack.engines.monitoring.alerts import Alert
from isotrack.knowledge.monitoring import Severity

AlertState = Literal["open", "reviewed", "resolved", "superseded"]
ReviewOutcome = Literal["continue", "hold", "stop"]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class AlertReview(Frozen):
    """A prescriber's review of one alert: who, when, the outcome and why."""

    event_id: str
    alert_id: str
    reviewed_on: dt.date
    reviewed_by: str | None
    outcome: ReviewOutcome
    note: str


class TrackedAlert(Frozen):
    """A critical alert that holds the course, followed from open to reviewed or resolved.

    ``holding``: whether it still holds the course on the evaluation date. A resolved alert is
    kept, never dropped: ``resolved_on`` and ``resolved_by_event_id`` say which later result
    resolved it; ``superseded_by`` names a newer alert of the same code that took its place.
    """

    alert: Alert
    hold_rule_id: str
    raised_on: dt.date
    state: AlertState
    holding: bool
    review: AlertReview | None = None
    resolved_on: dt.date | None = None
    resolved_by_event_id: str | None = None
    superseded_by: str | None = None
    note: str = ""


class ClinicalHold(Frozen):
    """One reason the course is on clinical hold, as the pharmacist must see it."""

    alert_id: str
    code: str
    date: dt.date
    severity: Severity
    message: str
    action: str = Field(description="what the pharmacist does, e.g. do not dispense")
    source_ids: list[str]
    hold_rule_id: str
    state: AlertState
    review: AlertReview | None = None


class SafetyStatus(Frozen):
    """Clinical holds of one course on one day, and every holding alert with its lifecycle.

    ``course_status``: ``active``, ``on clinical hold``, ``stopped: pregnancy`` or
    ``stopped: alert review``. ``unmatched_reviews`` are reviews naming no alert of this
    course (a typo in an id): they lift nothing and are shown so someone corrects them.
    """

    as_of: dt.date
    course_status: str
    clinical_holds: list[ClinicalHold]
    alerts: list[TrackedAlert]
    reviews: list[AlertReview]
    unmatched_reviews: list[AlertReview] = Field(default_factory=list)

    @property
    def on_hold(self) -> bool:
        return bool(self.clinical_holds)

    def holding(self, code: str) -> bool:
        """Whether an alert of ``code`` holds the course."""
        return any(t.holding and t.alert.code == code for t in self.alerts)
