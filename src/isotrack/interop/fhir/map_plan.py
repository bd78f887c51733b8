"""A saved course plan as a MedicationRequest with ``intent`` "plan".

FHIR's MedicationRequest "plan" intent is a proposal the prescriber intends to carry out, not
an order to dispense: what the course plan is. Each phase is a dosage instruction (its
``sequence`` the phase number) and an isotrack extension with the mg/kg/day and the weeks, since
a dose per kilogram has no home in Dosage. Weight, target and the reason for a change are
isotrack extensions too.
"""

from __future__ import annotations

from typing import Any

from isotrack.domain.plan_events import CoursePlanned
from isotrack.interop.fhir import codes
from isotrack.interop.fhir.elements import (
    JsonDict,
    add_extension,
    extension,
    extension_value,
    extensions,
    quantity,
    quantity_value,
)
from isotrack.interop.fhir.elements import date_part as fhir_date
from isotrack.interop.fhir.mapping import EventMapping, ReadContext, WriteContext
from isotrack.interop.fhir.medication import (
    isotretinoin_concept,
    medication_concept_of,
    recognised_product,
)

EXT_PHASE = codes.extension_url("plan-phase")
EXT_WEIGHT = codes.extension_url("plan-weight")
EXT_TARGET = codes.extension_url("plan-target-mg-per-kg")
EXT_CLEARANCE = codes.extension_url("plan-treat-to-clearance")
EXT_SPLIT = codes.extension_url("plan-split-doses")
EXT_REASON = codes.extension_url("plan-change-reason")


def plan_to_fhir(plan: CoursePlanned, ctx: WriteContext) -> JsonDict:
    resource: JsonDict = {
        "resourceType": "MedicationRequest",
        "status": "active",
        "intent": "plan",
        "medicationCodeableConcept": isotretinoin_concept(plan.product, ctx.product_names),
        "subject": ctx.patient_reference,
        "authoredOn": plan.date.isoformat(),
        "dosageInstruction": [
            {
                "sequence": index,
                "text": f"{phase.mg_per_kg_per_day:g} mg/kg a day"
                + (f" for {phase.weeks} weeks" if phase.weeks else " until the course ends"),
            }
            for index, phase in enumerate(plan.phases, start=1)
        ],
    }
    for phase in plan.phases:
        parts = [extension("mg-per-kg-per-day", valueDecimal=phase.mg_per_kg_per_day)]
        if phase.weeks is not None:
            parts.append(extension("weeks", valueInteger=phase.weeks))
        add_extension(resource, extension(EXT_PHASE, extension=parts))
    add_extension(resource, extension(EXT_WEIGHT, valueQuantity=quantity(plan.weight_kg, "kg")))
    if plan.target_mg_per_kg is not None:
        add_extension(resource, extension(EXT_TARGET, valueDecimal=plan.target_mg_per_kg))
    add_extension(resource, extension(EXT_CLEARANCE, valueBoolean=plan.treat_to_clearance))
    add_extension(resource, extension(EXT_SPLIT, valueBoolean=plan.split_doses))
    if plan.reason:
        add_extension(resource, extension(EXT_REASON, valueString=plan.reason))
    return resource


def plan_from_fhir(resource: JsonDict, ctx: ReadContext) -> dict[str, Any] | None:
    phases = []
    for found in extensions(resource, EXT_PHASE):
        parts = {p.get("url"): p for p in found.get("extension", []) if isinstance(p, dict)}
        phase: dict[str, Any] = {
            "mg_per_kg_per_day": parts.get("mg-per-kg-per-day", {}).get("valueDecimal")
        }
        if "weeks" in parts:
            phase["weeks"] = parts["weeks"].get("valueInteger")
        phases.append(phase)
    weight = quantity_value(extension_value(resource, EXT_WEIGHT, "valueQuantity"))
    if not phases or weight is None:
        ctx.warnings.append("the course plan has no phases or no weight; it was not read")
        return None
    fields: dict[str, Any] = {
        "date": fhir_date(resource.get("authoredOn")),
        "product": recognised_product(
            medication_concept_of(resource, ctx.medications), ctx.product_names
        )
        or ctx.generic_product,
        "weight_kg": weight[0],
        "phases": phases,
        "treat_to_clearance": extension_value(resource, EXT_CLEARANCE, "valueBoolean") is True,
        "split_doses": extension_value(resource, EXT_SPLIT, "valueBoolean") is True,
    }
    target = extension_value(resource, EXT_TARGET, "valueDecimal")
    if target is not None:
        fields["target_mg_per_kg"] = target
    reason = extension_value(resource, EXT_REASON, "valueString")
    if reason:
        fields["reason"] = reason
    return fields


def _is_plan(resource: JsonDict, ctx: ReadContext) -> bool:
    return resource.get("intent") == "plan" and bool(extensions(resource, EXT_PHASE))


COURSE_PLAN = EventMapping(
    "course_plan", "MedicationRequest", plan_to_fhir, plan_from_fhir, _is_plan, CoursePlanned
)
