"""The timeline's patient as a FHIR Patient, and back.

``Patient.gender`` is administrative gender, not sex at birth, so isotrack neither writes it
from nor reads it into ``sex_at_birth``. Sex at birth and the ability to become pregnant travel
in isotrack extensions (US Core's birth-sex extension is read when isotrack's is absent).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from isotrack.domain.timeline import Timeline
from isotrack.interop.fhir import codes
from isotrack.interop.fhir.elements import (
    JsonDict,
    date_part,
    extension,
    extension_value,
    fhir_id,
    identifier_value,
)

_BIRTHSEX = {"F": "female", "M": "male", "UNK": "unknown"}


def patient_to_fhir(timeline: Timeline) -> JsonDict:
    patient = timeline.patient
    return {
        "resourceType": "Patient",
        "id": fhir_id(patient.id),
        "identifier": [{"system": codes.PATIENT_ID_SYSTEM, "value": patient.id}],
        "birthDate": patient.birth_date.isoformat(),
        "extension": [
            extension(codes.EXT_POLICY, valueString=timeline.policy),
            extension(codes.EXT_SEX_AT_BIRTH, valueCode=patient.sex_at_birth),
            extension(codes.EXT_CAN_GET_PREGNANT, valueBoolean=patient.can_get_pregnant),
        ],
    }


def patient_from_fhir(
    resource: Mapping[str, Any], warnings: list[str]
) -> tuple[dict[str, Any], str | None]:
    """(the timeline's ``patient`` JSON, the policy named on the Patient or None)."""
    resource = dict(resource)
    patient_id = identifier_value(resource.get("identifier"), codes.PATIENT_ID_SYSTEM) or (
        resource.get("id") if isinstance(resource.get("id"), str) else None
    )
    sex = extension_value(resource, codes.EXT_SEX_AT_BIRTH, "valueCode")
    if sex is None:
        sex = _BIRTHSEX.get(str(extension_value(resource, codes.US_CORE_BIRTHSEX, "valueCode")))
    if sex is None:
        warnings.append("sex at birth is not recorded; it stays unknown")
        sex = "unknown"
    can_get_pregnant = extension_value(resource, codes.EXT_CAN_GET_PREGNANT, "valueBoolean")
    if not isinstance(can_get_pregnant, bool):
        can_get_pregnant = sex != "male"
        if can_get_pregnant:
            warnings.append(
                "whether the patient can become pregnant is not recorded; the pregnancy "
                "prevention requirements are applied until a clinician records otherwise"
            )
    if date_part(resource.get("birthDate")) is None:
        warnings.append("the Patient has no birth date; age rules need it, so no course is read")
    policy = extension_value(resource, codes.EXT_POLICY, "valueString")
    patient = {
        "id": patient_id,
        "birth_date": date_part(resource.get("birthDate")),
        "sex_at_birth": sex,
        "can_get_pregnant": can_get_pregnant,
    }
    return patient, policy if isinstance(policy, str) else None
