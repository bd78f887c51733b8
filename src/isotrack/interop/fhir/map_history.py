"""Screening facts: conditions, allergies, other medicines; and adverse events."""

from __future__ import annotations

from typing import Any

from isotrack.domain.events import (
    AdverseEventReported,
    AllergyRecorded,
    ConditionRecorded,
    MedicationRecorded,
)
from isotrack.interop.fhir import codes
from isotrack.interop.fhir.elements import (
    JsonDict,
    add_extension,
    coding,
    concept,
    date_part,
    extension,
    extension_value,
    has_code,
    text_of,
)
from isotrack.interop.fhir.mapping import EventMapping, ReadContext, WriteContext
from isotrack.interop.fhir.medication import is_isotretinoin, medication_concept_of


def condition_to_fhir(event: ConditionRecorded, ctx: WriteContext) -> JsonDict:
    return {
        "resourceType": "Condition",
        "clinicalStatus": concept(coding(codes.CONDITION_CLINICAL, event.status)),
        "code": concept(text=event.term),
        "subject": ctx.patient_reference,
        "recordedDate": event.date.isoformat(),
    }


def condition_from_fhir(resource: JsonDict, ctx: ReadContext) -> dict[str, Any] | None:
    status = has_code(
        resource.get("clinicalStatus"), codes.CONDITION_CLINICAL,
        ("active", "recurrence", "relapse", "inactive", "remission", "resolved"),
    )  # fmt: skip
    return {
        "date": date_part(resource.get("recordedDate")) or date_part(resource.get("onsetDateTime")),
        "term": text_of(resource.get("code")),
        "status": "active" if status in (None, "active", "recurrence", "relapse") else "resolved",
    }


def allergy_to_fhir(event: AllergyRecorded, ctx: WriteContext) -> JsonDict:
    return {
        "resourceType": "AllergyIntolerance",
        # ait-1: a clinical status is required unless entered in error; a recorded allergy
        # is active (the timeline has no way to resolve one).
        "clinicalStatus": concept(coding(codes.ALLERGY_CLINICAL, "active")),
        "code": concept(text=event.substance),
        "patient": ctx.patient_reference,
        "recordedDate": event.date.isoformat(),
    }


def allergy_from_fhir(resource: JsonDict, ctx: ReadContext) -> dict[str, Any] | None:
    return {
        "date": date_part(resource.get("recordedDate")) or date_part(resource.get("onsetDateTime")),
        "substance": text_of(resource.get("code")),
    }


def medication_to_fhir(event: MedicationRecorded, ctx: WriteContext) -> JsonDict:
    return {
        "resourceType": "MedicationStatement",
        "status": "active" if event.status == "started" else "stopped",
        "medicationCodeableConcept": concept(text=event.name),
        "subject": ctx.patient_reference,
        "effectiveDateTime": event.date.isoformat(),
    }


def medication_from_fhir(resource: JsonDict, ctx: ReadContext) -> dict[str, Any] | None:
    period = resource.get("effectivePeriod")
    status = resource.get("status")
    return {
        "date": date_part(resource.get("effectiveDateTime"))
        or date_part(period.get("start") if isinstance(period, dict) else None)
        or date_part(resource.get("dateAsserted")),
        "name": text_of(medication_concept_of(resource, ctx.medications)),
        "status": "stopped" if status in ("stopped", "completed") else "started",
    }


_SEVERITY = {1: "mild", 2: "moderate"}


def adverse_event_to_fhir(event: AdverseEventReported, ctx: WriteContext) -> JsonDict:
    resource: JsonDict = {
        "resourceType": "AdverseEvent",
        "actuality": "actual",
        "event": concept(text=event.term),
        "subject": ctx.patient_reference,
        "date": event.date.isoformat(),
        "severity": concept(
            coding(
                codes.ADVERSE_EVENT_SEVERITY,
                _SEVERITY.get(event.severity, "severe"),
            )
        ),
    }
    add_extension(resource, extension(codes.EXT_GRADE, valueInteger=event.severity))
    return resource


def adverse_event_from_fhir(resource: JsonDict, ctx: ReadContext) -> dict[str, Any] | None:
    grade = extension_value(resource, codes.EXT_GRADE, "valueInteger")
    if not isinstance(grade, int):
        severity = text_of(resource.get("severity"))
        grade = {"mild": 1, "moderate": 2, "severe": 3}.get(severity or "")
        if grade is None:
            ctx.warnings.append("the adverse event has no severity; it was not read")
            return None
    return {
        "date": date_part(resource.get("date")),
        "term": text_of(resource.get("event")),
        "severity": grade,
    }


CONDITION = EventMapping(
    "condition", "Condition", condition_to_fhir, condition_from_fhir, lambda r, ctx: True
)
ALLERGY = EventMapping(
    "allergy", "AllergyIntolerance", allergy_to_fhir, allergy_from_fhir, lambda r, ctx: True
)
MEDICATION = EventMapping(
    "medication", "MedicationStatement", medication_to_fhir, medication_from_fhir,
    lambda r, ctx: not is_isotretinoin(
        medication_concept_of(r, ctx.medications), ctx.product_names
    ),
)  # fmt: skip
ADVERSE_EVENT = EventMapping(
    "adverse_event", "AdverseEvent", adverse_event_to_fhir, adverse_event_from_fhir,
    lambda r, ctx: True,
)  # fmt: skip
