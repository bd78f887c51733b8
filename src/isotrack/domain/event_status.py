"""Where each recorded event stands after corrections: the one rule for the API, the pages
and exports, and the same rule :func:`isotrack.domain.timeline.effective_events` applies.

A void removes its target unless the void is itself voided (then the target is *restored*);
an amendment that stands changes its target (*amended*). Void and amend events are
*corrections* while they stand, and *voided* once voided themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from isotrack.domain.events import EventAmended, EventBase, EventVoided


class EventStatus(StrEnum):
    CURRENT = "current"
    VOIDED = "voided"
    AMENDED = "amended"
    RESTORED = "restored"  # every void of it was voided in turn
    CORRECTION = "correction"  # a standing void or amendment


def event_statuses(events: Sequence[EventBase]) -> dict[str, EventStatus]:
    """The status of every event id of a timeline's recorded events."""
    voids_of: dict[str, list[str]] = {}
    amendments_of: dict[str, list[str]] = {}
    for event in events:
        if isinstance(event, EventVoided):
            voids_of.setdefault(event.target_id, []).append(event.id)
        elif isinstance(event, EventAmended):
            amendments_of.setdefault(event.target_id, []).append(event.id)
    voided: dict[str, bool] = {}

    def is_voided(event_id: str) -> bool:
        # A void always targets an earlier event, so this recursion ends.
        if event_id not in voided:
            voided[event_id] = any(not is_voided(v) for v in voids_of.get(event_id, ()))
        return voided[event_id]

    statuses: dict[str, EventStatus] = {}
    for event in events:
        if is_voided(event.id):
            statuses[event.id] = EventStatus.VOIDED
        elif isinstance(event, (EventVoided, EventAmended)):
            statuses[event.id] = EventStatus.CORRECTION
        elif any(not is_voided(a) for a in amendments_of.get(event.id, ())):
            statuses[event.id] = EventStatus.AMENDED
        elif event.id in voids_of:
            statuses[event.id] = EventStatus.RESTORED
        else:
            statuses[event.id] = EventStatus.CURRENT
    return statuses


def void_reasons(events: Sequence[EventBase]) -> dict[str, str]:
    """For each voided event, the reason of a void that stands against it."""
    statuses = event_statuses(events)
    reasons: dict[str, str] = {}
    for event in events:
        if isinstance(event, EventVoided) and statuses[event.id] is not EventStatus.VOIDED:
            reasons.setdefault(event.target_id, event.reason)
    return {k: v for k, v in reasons.items() if statuses.get(k) is EventStatus.VOIDED}
