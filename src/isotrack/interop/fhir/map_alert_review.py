"""A prescriber's review of an alert as a DetectedIssue whose ``mitigation`` is the review.

DetectedIssue is the resource an alert itself becomes (``decisions.alert_to_detected_issue``);
its ``mitigation`` element is "an action taken to reduce the risk", which is what a review
records: continue (the hold is lifted), hold, or stop. The alert is named by its isotrack id
as an identifier, so the reviewed alert is the same on either side. The review's reason travels
as the event's note (the ``note`` extension: DetectedIssue has no ``note`` element).
"""

from __future__ import annotations

from typing import Any

from isotrack.domain.clinical_events import AlertReviewed
from isotrack.interop.fhir import codes
from isotrack.interop.fhir.elements import (
    JsonDict,
    code_in,
    coding,
    concept,
    date_part,
    first,
    identifier_value,
)
from isotrack.interop.fhir.mapping import EventMapping, ReadContext, WriteContext

_OUTCOME_TEXT = {
    "continue": "continue treatment: hold lifted",
    "hold": "keep the course on hold",
    "stop": "stop the course",
}


def alert_review_to_fhir(event: AlertReviewed, ctx: WriteContext) -> JsonDict:
    return {
        "resourceType": "DetectedIssue",
        "identifier": [{"system": codes.ALERT_ID_SYSTEM, "value": event.alert_id}],
        "status": "final",
        "patient": ctx.patient_reference,
        "mitigation": [
            {
                "action": concept(
                    coding(codes.ALERT_REVIEW_OUTCOME_SYSTEM, event.outcome),
                    text=_OUTCOME_TEXT[event.outcome],
                ),
                "date": event.date.isoformat(),
            }
        ],
    }


def alert_review_from_fhir(resource: JsonDict, ctx: ReadContext) -> dict[str, Any] | None:
    mitigation = first(resource.get("mitigation"))
    if not isinstance(mitigation, dict):
        ctx.warnings.append("the alert review has no mitigation; it was not read")
        return None
    return {
        "date": date_part(mitigation.get("date")) or date_part(resource.get("identifiedDateTime")),
        "alert_id": identifier_value(resource.get("identifier"), codes.ALERT_ID_SYSTEM),
        "outcome": code_in(mitigation.get("action"), codes.ALERT_REVIEW_OUTCOME_SYSTEM),
    }


def _is_review(resource: JsonDict, ctx: ReadContext) -> bool:
    mitigation = first(resource.get("mitigation"))
    return isinstance(mitigation, dict) and (
        code_in(mitigation.get("action"), codes.ALERT_REVIEW_OUTCOME_SYSTEM) is not None
    )


ALERT_REVIEW = EventMapping(
    "alert_review", "DetectedIssue", alert_review_to_fhir, alert_review_from_fhir, _is_review,
    AlertReviewed,
)  # fmt: skip
