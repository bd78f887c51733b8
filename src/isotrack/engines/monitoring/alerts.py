"""The alert every monitoring rule produces, and the order alerts are shown in.

Every alert has a stable ``id`` made once, here, from its code and the event that caused it
(``CODE:event-id``, the last event the rule names), so the same course and date give the same
id on every surface and an ``alert_review`` can name it. An alert no event caused (a test that
is overdue) is named by its code and a digest of its message, which holds its due date.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from isotrack.knowledge.monitoring import Severity

AlertTopic = Literal[
    "labs", "adverse_event", "mood", "assessment", "screening", "policy", "pregnancy"
]


class Alert(BaseModel):
    """One finding that needs a person's attention, with what to do and why (sources)."""

    model_config = ConfigDict(frozen=True)

    id: str = ""
    severity: Severity
    code: str
    topic: AlertTopic
    message: str
    action: str
    source_ids: list[str] = Field(default_factory=list)
    event_ids: list[str] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _stable_id(cls, data: Any) -> Any:
        if isinstance(data, dict) and not data.get("id"):
            data = {**data, "id": alert_id(data["code"], data.get("event_ids") or [], data)}
        return data


_DIGEST_CHARS = 10  # enough to tell apart the alerts of one course


def alert_id(code: str, event_ids: list[str], data: dict[str, Any]) -> str:
    """``CODE:event-id`` of the causing event; without one, ``CODE:`` and a message digest."""
    if event_ids:
        return f"{code}:{event_ids[-1]}"
    digest = hashlib.sha256(str(data.get("message", "")).encode()).hexdigest()
    return f"{code}:{digest[:_DIGEST_CHARS]}"


def sort_alerts(alerts: Iterable[Alert]) -> list[Alert]:
    """Critical first, then warning, then info; stable within a severity.

    Two alerts of one code caused by one event (two screening findings of one medicine) keep
    distinct ids: the later in record order gets ``#2``, ``#3``.
    """
    seen: dict[str, int] = {}
    named: list[Alert] = []
    for alert in alerts:
        count = seen[alert.id] = seen.get(alert.id, 0) + 1
        named.append(
            alert if count == 1 else alert.model_copy(update={"id": f"{alert.id}#{count}"})
        )
    return sorted(named, key=lambda alert: alert.severity.rank)


def merge_sources(*groups: Iterable[str]) -> list[str]:
    """Source ids of several records, first-seen order, without repeats."""
    seen: dict[str, None] = {}
    for group in groups:
        for source_id in group:
            seen.setdefault(source_id, None)
    return list(seen)
