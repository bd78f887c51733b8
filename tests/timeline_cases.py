"""The one builder of hand-written course timelines shared by the engine test suites.

Each suite keeps its own patient and policy (its story); this module only knows the shape of an
``isotrack.timeline/1`` document, so a change to the contract is made here once.
"""

from __future__ import annotations

from typing import Any

from isotrack.domain.timeline import TIMELINE_SCHEMA, Timeline, load_timeline


def patient(
    patient_id: str, birth_date: str, sex_at_birth: str, *, can_get_pregnant: bool
) -> dict[str, Any]:
    return {
        "id": patient_id,
        "birth_date": birth_date,
        "sex_at_birth": sex_at_birth,
        "can_get_pregnant": can_get_pregnant,
    }


def timeline_document(
    *events: dict[str, Any], policy: str, patient: dict[str, Any]
) -> dict[str, Any]:
    """The JSON document as a client would send it (for tests of the contract itself)."""
    return {"schema": TIMELINE_SCHEMA, "policy": policy, "patient": patient, "events": list(events)}


def timeline(*events: dict[str, Any], policy: str, patient: dict[str, Any]) -> Timeline:
    """The document loaded and validated through the public contract."""
    return load_timeline(timeline_document(*events, policy=policy, patient=patient))


def event(event_id: str, event_type: str, date: str, /, **fields: Any) -> dict[str, Any]:
    """One event as it appears in the JSON file (``fields`` may include a ``kind``)."""
    return {"id": event_id, "type": event_type, "date": date, **fields}
