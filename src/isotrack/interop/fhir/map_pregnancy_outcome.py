"""How an exposed pregnancy ended, as an Observation coded in isotrack's own outcome system.

The outcome is the Observation's coded value; free-text details (which a registry report
needs) go in a component, because the event's own ``note`` already uses ``Observation.note``.
"""

from __future__ import annotations

from typing import Any

from isotrack.domain.clinical_events import PregnancyOutcomeRecorded
from isotrack.interop.fhir import codes
from isotrack.interop.fhir.elements import JsonDict, code_in, coding, concept, has_code
from isotrack.interop.fhir.map_observations import effective_date, observation
from isotrack.interop.fhir.mapping import EventMapping, ReadContext, WriteContext

_DISPLAY = {
    "live_birth": "Live birth",
    "miscarriage": "Miscarriage",
    "termination": "Termination of pregnancy",
    "ectopic": "Ectopic pregnancy",
    "stillbirth": "Stillbirth",
    "unknown": "Unknown (lost to follow-up)",
}


def _local(code: str) -> JsonDict:
    return concept(coding(codes.LOCAL_CODES, code))


def pregnancy_outcome_to_fhir(event: PregnancyOutcomeRecorded, ctx: WriteContext) -> JsonDict:
    outcome = event.outcome.value
    resource = observation(
        _local(codes.LOCAL_PREGNANCY_OUTCOME), "social-history", ctx, event.date.isoformat(),
        valueCodeableConcept=concept(
            coding(codes.PREGNANCY_OUTCOME_SYSTEM, outcome, _DISPLAY[outcome])
        ),
    )  # fmt: skip
    if event.details:
        resource["component"] = [
            {"code": _local(codes.LOCAL_OUTCOME_DETAILS), "valueString": event.details}
        ]
    return resource


def pregnancy_outcome_from_fhir(resource: JsonDict, ctx: ReadContext) -> dict[str, Any] | None:
    details = None
    parts = resource.get("component")
    for part in parts if isinstance(parts, list) else []:
        if isinstance(part, dict) and has_code(
            part.get("code"), codes.LOCAL_CODES, (codes.LOCAL_OUTCOME_DETAILS,)
        ):
            details = part.get("valueString")
    return {
        "date": effective_date(resource, ctx),
        "outcome": code_in(resource.get("valueCodeableConcept"), codes.PREGNANCY_OUTCOME_SYSTEM),
        "details": details if isinstance(details, str) else None,
    }


def _is_outcome(resource: JsonDict, ctx: ReadContext) -> bool:
    return (
        has_code(resource.get("code"), codes.LOCAL_CODES, (codes.LOCAL_PREGNANCY_OUTCOME,))
        is not None
    )


PREGNANCY_OUTCOME = EventMapping(
    "pregnancy_outcome", "Observation", pregnancy_outcome_to_fhir, pregnancy_outcome_from_fhir,
    _is_outcome, PregnancyOutcomeRecorded,
)  # fmt: skip
