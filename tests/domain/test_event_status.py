"""Each event's status after corrections (issue 12): one rule for the API, the pages and
exports, and it agrees with :func:`effective_events`, the engines' view of the course.

The case that used to disagree: a void that is itself voided. The pages showed the target as
"voided" while the engines counted it; both now say it is restored and current.
"""

from __future__ import annotations

from typing import Any

from isotrack.domain.event_status import EventStatus, event_statuses, void_reasons
from isotrack.domain.timeline import effective_events, load_timeline
from timeline_cases import patient, timeline_document

WEIGHT = {"id": "w1", "type": "weight", "date": "2026-01-05", "weight_kg": 58.0}
RX = {
    "id": "rx1", "type": "prescription", "date": "2026-01-05", "product": "claravis",
    "daily_dose_mg": 30, "days_supply": 30,
}  # fmt: skip


def _void(event_id: str, target: str, day: str, reason: str) -> dict[str, Any]:
    return {"id": event_id, "type": "void", "date": day, "target_id": target, "reason": reason}


def _course(*events: dict[str, Any]) -> Any:
    ana = patient("pt-ana", "2002-03-14", "female", can_get_pregnant=True)
    return load_timeline(timeline_document(*events, policy="us-ipledge-2026", patient=ana))


def test_a_voided_void_restores_its_target_for_the_engines_and_the_record_alike() -> None:
    wrong = _void("v1", "rx1", "2026-01-06", "written for the wrong patient")
    undo = _void("v2", "v1", "2026-01-07", "the void itself was a mistake")
    timeline = _course(WEIGHT, RX, wrong, undo)

    statuses = event_statuses(timeline.events)

    assert statuses == {
        "w1": EventStatus.CURRENT,
        "rx1": EventStatus.RESTORED,
        "v1": EventStatus.VOIDED,
        "v2": EventStatus.CORRECTION,
    }
    assert void_reasons(timeline.events) == {"v1": "the void itself was a mistake"}
    standing = {e.id for e in effective_events(timeline)}
    assert standing == {"w1", "rx1"}


def test_a_standing_void_and_an_amendment_are_marked_as_the_engines_apply_them() -> None:
    amend = {
        "id": "a1", "type": "amend", "date": "2026-01-06", "target_id": "w1",
        "reason": "scale misread", "changes": {"weight_kg": 60.0},
    }  # fmt: skip
    wrong = _void("v1", "rx1", "2026-01-06", "written for the wrong patient")
    timeline = _course(WEIGHT, RX, amend, wrong)

    statuses = event_statuses(timeline.events)

    assert statuses["w1"] is EventStatus.AMENDED and statuses["rx1"] is EventStatus.VOIDED
    assert void_reasons(timeline.events) == {"rx1": "written for the wrong patient"}
    # Consistent with the engines: every event that is not voided and not a correction
    # stands, and only those.
    standing = {e.id for e in effective_events(timeline)}
    counted = {EventStatus.CURRENT, EventStatus.AMENDED, EventStatus.RESTORED}
    assert standing == {i for i, s in statuses.items() if s in counted}
