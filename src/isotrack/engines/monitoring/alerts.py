"""The alert every monitoring rule produces, and the order alerts are shown in."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from isotrack.knowledge.monitoring import Severity

AlertTopic = Literal["labs", "adverse_event", "mood", "assessment", "screening", "policy"]


class Alert(BaseModel):
    """One finding that needs a person's attention, with what to do and why (sources)."""

    model_config = ConfigDict(frozen=True)

    severity: Severity
    code: str
    topic: AlertTopic
    message: str
    action: str
    source_ids: list[str] = Field(default_factory=list)
    event_ids: list[str] = Field(default_factory=list)


def sort_alerts(alerts: Iterable[Alert]) -> list[Alert]:
    """Critical first, then warning, then info; stable within a severity."""
    return sorted(alerts, key=lambda alert: alert.severity.rank)


def merge_sources(*groups: Iterable[str]) -> list[str]:
    """Source ids of several records, first-seen order, without repeats."""
    seen: dict[str, None] = {}
    for group in groups:
        for source_id in group:
            seen.setdefault(source_id, None)
    return list(seen)
