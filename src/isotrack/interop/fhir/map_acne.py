"""An acne assessment as an Observation: the global grade is the value, coded by its scale
(IGA 0-4 or GAGS 0-44), lesion counts and scarring are components.

A lesion type that was not counted has no component (unknown, never zero). Who assessed it
(prescriber or patient self-report) is a component too: ``performer`` would need a
Practitioner resource isotrack does not have.
"""

from __future__ import annotations

from typing import Any

from isotrack.domain.clinical_events import AcneAssessment, LesionCounts
from isotrack.interop.fhir import codes
from isotrack.interop.fhir.elements import JsonDict, code_in, coding, concept, has_code
from isotrack.interop.fhir.map_observations import effective_date, observation
from isotrack.interop.fhir.mapping import EventMapping, ReadContext, WriteContext

_SCALE_DISPLAY = {"iga": "Investigator's Global Assessment", "gags": "Global Acne Grading System"}
_LESIONS = tuple(LesionCounts.model_fields)


def _local(code: str) -> JsonDict:
    return concept(coding(codes.LOCAL_CODES, code))


def acne_to_fhir(event: AcneAssessment, ctx: WriteContext) -> JsonDict:
    parts: list[JsonDict] = []
    for site, counts in event.lesions.items():
        for lesion in _LESIONS:
            count = getattr(counts, lesion)
            if count is not None:
                parts.append(
                    {
                        "code": concept(coding(codes.ACNE_LESION_SYSTEM, f"{site}.{lesion}")),
                        "valueInteger": count,
                    }
                )
    if event.scarring is not None:
        parts.append(
            {
                "code": _local(codes.LOCAL_SCARRING),
                "valueCodeableConcept": concept(coding(codes.ACNE_SCARRING_SYSTEM, event.scarring)),
            }
        )
    parts.append(
        {
            "code": _local(codes.LOCAL_ASSESSED_BY),
            "valueCodeableConcept": concept(coding(codes.ASSESSOR_SYSTEM, event.assessed_by)),
        }
    )
    return {
        **observation(
            concept(coding(codes.ACNE_SCALE_SYSTEM, event.scale, _SCALE_DISPLAY[event.scale])),
            "exam", ctx, event.date.isoformat(), valueInteger=event.grade,
        ),
        "component": parts,
    }  # fmt: skip


def acne_from_fhir(resource: JsonDict, ctx: ReadContext) -> dict[str, Any] | None:
    lesions: dict[str, dict[str, int]] = {}
    scarring = assessed_by = None
    parts = resource.get("component")
    for part in parts if isinstance(parts, list) else []:
        if not isinstance(part, dict):
            continue
        lesion = code_in(part.get("code"), codes.ACNE_LESION_SYSTEM)
        if lesion is not None and "." in lesion:
            site, kind = lesion.split(".", 1)
            lesions.setdefault(site, {})[kind] = part.get("valueInteger")  # type: ignore[assignment]
        elif has_code(part.get("code"), codes.LOCAL_CODES, (codes.LOCAL_SCARRING,)):
            scarring = code_in(part.get("valueCodeableConcept"), codes.ACNE_SCARRING_SYSTEM)
        elif has_code(part.get("code"), codes.LOCAL_CODES, (codes.LOCAL_ASSESSED_BY,)):
            assessed_by = code_in(part.get("valueCodeableConcept"), codes.ASSESSOR_SYSTEM)
    if assessed_by is None:
        ctx.warnings.append("the acne assessment does not say who assessed it; it was not read")
        return None
    return {
        "date": effective_date(resource, ctx),
        "scale": code_in(resource.get("code"), codes.ACNE_SCALE_SYSTEM),
        "grade": resource.get("valueInteger"),
        "lesions": lesions or None,
        "scarring": scarring,
        "assessed_by": assessed_by,
    }


def _is_acne(resource: JsonDict, ctx: ReadContext) -> bool:
    return code_in(resource.get("code"), codes.ACNE_SCALE_SYSTEM) is not None


ACNE_ASSESSMENT = EventMapping(
    "acne_assessment", "Observation", acne_to_fhir, acne_from_fhir, _is_acne, AcneAssessment
)
