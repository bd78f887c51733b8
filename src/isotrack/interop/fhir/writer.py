"""Timeline -> FHIR R4 Bundle (type ``collection``).

Every event becomes one resource whose id is the event id (or a FHIR-safe form of it) and
which carries the exact event id as an identifier and its event type as a ``meta.tag``. Each
resource shows the event as it stands after corrections; a voided event is written with its
``entered-in-error`` status and the void as a Provenance, so the timeline can be rebuilt.
"""

from __future__ import annotations

from collections.abc import Mapping

from isotrack.domain.events import EventBase, PrescriptionWritten
from isotrack.domain.timeline import Timeline, effective_events
from isotrack.interop.fhir import codes
from isotrack.interop.fhir.elements import (
    JsonDict,
    add_extension,
    coding,
    extension,
    fhir_id,
    reference,
)
from isotrack.interop.fhir.mapping import WriteContext
from isotrack.interop.fhir.patient import patient_to_fhir
from isotrack.interop.fhir.registry import BY_EVENT_TYPE
from isotrack.interop.fhir.report import BundleResult, ConversionReport, Finding

# Resource types with an ``Annotation`` note element; others get the note as an extension.
_HAS_NOTE = frozenset(
    {"Observation", "MedicationRequest", "MedicationDispense", "Procedure", "Condition",
     "AllergyIntolerance", "MedicationStatement"}
)  # fmt: skip
# Where "entered in error" is written, per resource type.
_STATUS_FIELD = {
    "Observation": "status", "MedicationRequest": "status", "MedicationDispense": "status",
    "Procedure": "status", "MedicationStatement": "status", "EpisodeOfCare": "status",
    "Encounter": "status", "DetectedIssue": "status",
}  # fmt: skip


def timeline_to_bundle(
    timeline: Timeline,
    product_names: Mapping[str, str],
    lab_loinc_by_name: Mapping[str, Mapping[str, str]],
) -> BundleResult:
    """The course as a FHIR R4 Bundle, with what FHIR could not carry in the report."""
    report = ConversionReport()
    patient = patient_to_fhir(timeline)
    current = {e.id: e for e in effective_events(timeline)}
    keys = resource_keys(timeline)
    ctx = WriteContext(
        patient_reference=reference("Patient", patient["id"]),
        prescriptions=_prescriptions(timeline, current),
        resource_keys=keys,
        product_names=product_names,
        lab_loinc_by_name=lab_loinc_by_name,
    )
    entries: list[JsonDict] = [{"resource": patient}]
    for recorded in timeline.events:
        event_type: str = recorded.type
        mapping = BY_EVENT_TYPE.get(event_type)
        if mapping is None:
            report.not_carried.append(
                Finding(f"event {recorded.id}", f"event type {event_type!r} has no FHIR mapping")
            )
            continue
        voided = recorded.id not in current and event_type not in ("void", "amend")
        event = current.get(recorded.id, recorded)
        if event is not recorded:
            report.not_carried.append(
                Finding(
                    f"event {recorded.id}",
                    "the values as first recorded, before amendment: the resource shows the "
                    "amended values and the Provenance of each amendment the fields it changed",
                )
            )
        resource = mapping.to_fhir(event, ctx)
        _decorate(resource, event, event_type, voided, report)
        entries.append({"resource": resource})
    bundle: JsonDict = {"resourceType": "Bundle", "type": "collection", "entry": entries}
    return BundleResult(bundle, report)


def _prescriptions(
    timeline: Timeline, current: Mapping[str, EventBase]
) -> dict[str, PrescriptionWritten]:
    """Each prescription as amended; a voided one as recorded, so that a dispense made on it
    still names the product handed over."""
    found: dict[str, PrescriptionWritten] = {}
    for event in timeline.events:
        if isinstance(event, PrescriptionWritten):
            latest = current.get(event.id)
            found[event.id] = latest if isinstance(latest, PrescriptionWritten) else event
    return found


def resource_keys(timeline: Timeline) -> dict[str, str]:
    """``Type/id`` of the resource each event of the course becomes, by event id."""
    return {
        e.id: f"{BY_EVENT_TYPE[e.type].resource_type}/{fhir_id(e.id)}"
        for e in timeline.events
        if e.type in BY_EVENT_TYPE
    }


def _decorate(
    resource: JsonDict, event: EventBase, event_type: str, voided: bool, report: ConversionReport
) -> None:
    resource_type = resource["resourceType"]
    body = {k: v for k, v in resource.items() if k != "resourceType"}
    resource.clear()
    resource["resourceType"] = resource_type
    resource["id"] = fhir_id(event.id)
    resource["meta"] = {"tag": [coding(codes.EVENT_TYPE_TAG, event_type)]}
    resource.update(body)
    ident = {"system": codes.EVENT_ID_SYSTEM, "value": event.id}
    if resource_type == "Provenance":
        add_extension(resource, extension(codes.EXT_EVENT_ID, valueString=event.id))
    elif resource_type == "AdverseEvent":
        resource["identifier"] = ident
    else:
        resource["identifier"] = [ident, *resource.get("identifier", [])]
    if event.time is not None:
        add_extension(
            resource, extension(codes.EXT_TIME_OF_DAY, valueTime=event.time.isoformat("seconds"))
        )
    if event.recorded_by:
        add_extension(resource, extension(codes.EXT_RECORDED_BY, valueString=event.recorded_by))
    if event.note:
        if resource_type in _HAS_NOTE:
            resource["note"] = [{"text": event.note}]
        else:
            add_extension(resource, extension(codes.EXT_NOTE, valueString=event.note))
    if voided:
        _mark_entered_in_error(resource, event, report)


def _mark_entered_in_error(resource: JsonDict, event: EventBase, report: ConversionReport) -> None:
    resource_type = resource["resourceType"]
    if resource_type in _STATUS_FIELD:
        resource[_STATUS_FIELD[resource_type]] = "entered-in-error"
    elif resource_type in ("Condition", "AllergyIntolerance"):
        resource["verificationStatus"] = {
            "coding": [coding(codes.VERIFICATION_STATUS[resource_type], "entered-in-error")]
        }
        resource.pop("clinicalStatus", None)  # con-5 / ait-1: no clinical status when in error
    else:
        report.not_carried.append(
            Finding(
                f"event {event.id}",
                f"{resource_type} has no status; that it was voided is carried only by the "
                "Provenance of the void",
            )
        )
