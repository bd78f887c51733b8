"""Prescriptions as MedicationRequest, dispenses as MedicationDispense."""

from __future__ import annotations

from typing import Any

from isotrack.domain.events import Dispensed, PrescriptionWritten
from isotrack.interop.fhir import codes
from isotrack.interop.fhir.elements import (
    JsonDict,
    add_extension,
    extension,
    extension_value,
    extensions,
    first,
    identifier_reference,
    identifier_value,
    quantity,
    quantity_value,
    reference_key,
)
from isotrack.interop.fhir.elements import (
    date_part as fhir_date,
)
from isotrack.interop.fhir.mapping import EventMapping, ReadContext, WriteContext
from isotrack.interop.fhir.medication import (
    isotretinoin_concept,
    medication_concept_of,
    recognised_product,
)


def _daily_dosage(dose_mg: float) -> JsonDict:
    return {
        "text": f"{dose_mg:g} mg a day",
        "timing": {"repeat": {"frequency": 1, "period": 1, "periodUnit": "d"}},
        "doseAndRate": [{"doseQuantity": quantity(dose_mg, "mg")}],
    }


def _regimen_extension(rx: PrescriptionWritten) -> list[JsonDict]:
    days = []
    for day in rx.regimen or []:
        capsules = [
            extension(
                "capsule",
                extension=[
                    extension("strength", valueQuantity=quantity(c.strength_mg, "mg")),
                    extension("count", valueInteger=c.count),
                ],
            )
            for c in day.capsules
        ]
        days.append(extension(codes.EXT_REGIMEN_DAY, extension=capsules))
    return days


def prescription_to_fhir(rx: PrescriptionWritten, ctx: WriteContext) -> JsonDict:
    resource: JsonDict = {
        "resourceType": "MedicationRequest",
        "status": "active",
        "intent": "order",
        "medicationCodeableConcept": isotretinoin_concept(rx.product, ctx.product_names),
        "subject": ctx.patient_reference,
        "authoredOn": rx.date.isoformat(),
        "dosageInstruction": [_daily_dosage(rx.daily_dose_mg)],
        "dispenseRequest": {
            "numberOfRepeatsAllowed": rx.refills,
            "expectedSupplyDuration": quantity(rx.days_supply, "d"),
        },
    }
    if rx.prescriber_id:
        resource["requester"] = identifier_reference(
            "Practitioner", codes.PRESCRIBER_SYSTEM, rx.prescriber_id
        )
    for ext in _regimen_extension(rx):
        add_extension(resource, ext)
    return resource


def _dose_mg(dosage: Any) -> float | None:
    """The dose of one dosage instruction in mg: R4 ``doseAndRate`` or the STU3 ``doseQuantity``."""
    if not isinstance(dosage, dict):
        return None
    dose = first(dosage.get("doseAndRate"))
    found = quantity_value(dose.get("doseQuantity")) if isinstance(dose, dict) else None
    if found is None:
        found = quantity_value(dosage.get("doseQuantity"))  # STU3 shape, still common
    if found is None or found[1] not in ("mg", None):
        return None
    value = found[0]
    repeat = (dosage.get("timing") or {}).get("repeat") if isinstance(dosage, dict) else None
    if isinstance(repeat, dict):
        frequency = repeat.get("frequency", 1)
        period = repeat.get("period", 1)
        unit = repeat.get("periodUnit", "d")
        if unit == "d" and isinstance(frequency, int) and isinstance(period, (int, float)):
            value = value * frequency / period
    return value


def _regimen_from(resource: JsonDict) -> list[dict[str, Any]] | None:
    days = extensions(resource, codes.EXT_REGIMEN_DAY)
    if not days:
        return None
    regimen = []
    for day in days:
        capsules = []
        for cap in day.get("extension", []):
            parts = {p.get("url"): p for p in cap.get("extension", [])}
            strength = quantity_value(parts.get("strength", {}).get("valueQuantity"))
            count = parts.get("count", {}).get("valueInteger")
            if strength is not None and isinstance(count, int):
                capsules.append({"strength_mg": strength[0], "count": count})
        regimen.append({"capsules": capsules})
    return regimen


def _product(resource: JsonDict, ctx: ReadContext) -> str | None:
    product = recognised_product(
        medication_concept_of(resource, ctx.medications), ctx.product_names, ctx.rxnorm_products
    )
    if product == "":
        ctx.warnings.append(
            "isotretinoin was coded by ingredient only; the generic product of the "
            "course's market is assumed"
        )
        return ctx.generic_product
    return product


def prescription_from_fhir(resource: JsonDict, ctx: ReadContext) -> dict[str, Any] | None:
    product = _product(resource, ctx)
    dosages = resource.get("dosageInstruction")
    dose_mg = _dose_mg(first(dosages)) if dosages is not None else None
    request = resource.get("dispenseRequest") or {}
    supply = quantity_value(request.get("expectedSupplyDuration"))
    if dose_mg is None:
        ctx.warnings.append("the daily dose in mg could not be read from dosageInstruction")
    if supply is None or supply[1] not in ("d", "day", "days"):
        ctx.warnings.append("the days' supply (dispenseRequest.expectedSupplyDuration) is missing")
        return None
    fields: dict[str, Any] = {
        "date": fhir_date(resource.get("authoredOn")),
        "product": product,
        "daily_dose_mg": dose_mg,
        "days_supply": int(supply[0]),
        "refills": request.get("numberOfRepeatsAllowed", 0),
        "regimen": _regimen_from(resource),
    }
    requester = resource.get("requester")
    if isinstance(requester, dict):
        fields["prescriber_id"] = identifier_value(
            requester.get("identifier"), codes.PRESCRIBER_SYSTEM
        )
    return fields


def _is_isotretinoin(resource: JsonDict, ctx: ReadContext) -> bool:
    concept = medication_concept_of(resource, ctx.medications)
    return recognised_product(concept, ctx.product_names, ctx.rxnorm_products) is not None


def dispense_to_fhir(dispense: Dispensed, ctx: WriteContext) -> JsonDict:
    rx = ctx.prescriptions.get(dispense.prescription_id)
    resource: JsonDict = {
        "resourceType": "MedicationDispense",
        "status": "completed",
        "medicationCodeableConcept": isotretinoin_concept(
            rx.product if rx else "isotretinoin", ctx.product_names
        ),
        "subject": ctx.patient_reference,
        "daysSupply": quantity(dispense.days_supply, "d"),
        "whenHandedOver": dispense.date.isoformat(),
    }
    rx_key = ctx.resource_keys.get(dispense.prescription_id)
    if rx_key is not None:
        resource["authorizingPrescription"] = [{"reference": rx_key}]
    if dispense.capsules is not None:
        resource["quantity"] = quantity(dispense.capsules, "capsule")
    if dispense.authorization_code:
        resource["identifier"] = [
            {"system": codes.AUTHORIZATION_SYSTEM, "value": dispense.authorization_code}
        ]
    if dispense.rma_number:
        resource.setdefault("identifier", []).append(
            {"system": codes.RMA_SYSTEM, "value": dispense.rma_number}
        )
    if dispense.do_not_dispense_after is not None:
        add_extension(
            resource,
            extension(codes.EXT_DO_NOT_DISPENSE_AFTER,
                      valueDate=dispense.do_not_dispense_after.isoformat()),
        )  # fmt: skip
    if dispense.pharmacy_id:
        resource["performer"] = [
            {
                "actor": identifier_reference(
                    "Organization", codes.PHARMACY_SYSTEM, dispense.pharmacy_id
                )
            }
        ]
    return resource


def dispense_from_fhir(resource: JsonDict, ctx: ReadContext) -> dict[str, Any] | None:
    supply = quantity_value(resource.get("daysSupply"))
    handed = fhir_date(resource.get("whenHandedOver"))
    if handed is None:
        ctx.warnings.append("whenHandedOver is missing: a dispense without a date is not counted")
        return None
    if supply is None:
        ctx.warnings.append("daysSupply is missing")
        return None
    rx_key = reference_key(first(resource.get("authorizingPrescription")))
    rx_id = ctx.event_ids.get(rx_key or "")
    if rx_id is None:
        ctx.warnings.append("the dispense names no prescription isotrack has read")
        return None
    amount = quantity_value(resource.get("quantity"))
    performer = first(resource.get("performer"))
    actor = performer.get("actor") if isinstance(performer, dict) else None
    return {
        "date": handed,
        "prescription_id": rx_id,
        "days_supply": int(supply[0]),
        "capsules": int(amount[0]) if amount else None,
        "authorization_code": identifier_value(
            resource.get("identifier"), codes.AUTHORIZATION_SYSTEM
        ),
        "pharmacy_id": identifier_value(
            actor.get("identifier") if isinstance(actor, dict) else None, codes.PHARMACY_SYSTEM
        ),
        "rma_number": identifier_value(resource.get("identifier"), codes.RMA_SYSTEM),
        "do_not_dispense_after": fhir_date(
            extension_value(resource, codes.EXT_DO_NOT_DISPENSE_AFTER, "valueDate")
        ),
    }


PRESCRIPTION = EventMapping(
    "prescription", "MedicationRequest", prescription_to_fhir, prescription_from_fhir,
    _is_isotretinoin,
)  # fmt: skip
DISPENSE = EventMapping(
    "dispense", "MedicationDispense", dispense_to_fhir, dispense_from_fhir, _is_isotretinoin
)
