"""The CDS services isotrack offers and the data each asks the EHR to prefetch."""

from __future__ import annotations

from isotrack.interop.cds.models import ServiceDefinition

ORDER_SELECT = "isotrack-order-select"
ORDER_SIGN = "isotrack-order-sign"
PATIENT_VIEW = "isotrack-patient-view"

# The Patient (to match the course by identifier as well as by id) and the patient's active
# medication orders in the EHR (screened for interactions isotrack may not have recorded).
PATIENT_PREFETCH = "Patient/{{context.patientId}}"
MEDICATIONS_PREFETCH = "MedicationRequest?patient={{context.patientId}}&status=active"

_USAGE = (
    "Register as a CDS client first (isotrack cds-client add); every call carries a JWT signed "
    "with ES384 or RS384 by a key in the registered JWKS."
)

SERVICES: tuple[ServiceDefinition, ...] = (
    ServiceDefinition(
        hook="order-sign",
        id=ORDER_SIGN,
        title="isotrack: isotretinoin order check",
        description="Before an isotretinoin order is signed: the regimen and cumulative dose it "
        "gives, programme requirements that will block dispensing, clinical holds, "
        "contraindications and interactions.",
        prefetch={"patient": PATIENT_PREFETCH, "medications": MEDICATIONS_PREFETCH},
        usageRequirements=_USAGE,
    ),
    ServiceDefinition(
        hook="order-select",
        id=ORDER_SELECT,
        title="isotrack: isotretinoin order guidance",
        description="When isotretinoin is selected: the same checks as at signing, for the "
        "selected order only.",
        prefetch={"patient": PATIENT_PREFETCH, "medications": MEDICATIONS_PREFETCH},
        usageRequirements=_USAGE,
    ),
    ServiceDefinition(
        hook="patient-view",
        id=PATIENT_VIEW,
        title="isotrack: isotretinoin course status",
        description="When the chart opens: cumulative progress, requirements due, clinical "
        "holds and critical alerts of the patient's isotretinoin course.",
        prefetch={"patient": PATIENT_PREFETCH},
        usageRequirements=_USAGE,
    ),
)

BY_ID = {definition.id: definition for definition in SERVICES}


def discovery_json() -> dict[str, object]:
    return {"services": [s.model_dump(mode="json", exclude_none=True) for s in SERVICES]}
