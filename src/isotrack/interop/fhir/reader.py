"""FHIR R4 Bundle (or a list of resources) -> timeline, entry by entry.

Real data is often not valid R4 (no ``Bundle.type``, STU3 dose shapes, ``"..."``
placeholders). Each entry is read on its own: a resource that cannot be read becomes a
warning naming it, never an exception; a resource that is not about isotretinoin therapy is
listed as ignored. Nothing is read by guesswork where a safety fact is missing: the warnings
say which facts stayed unknown.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from isotrack.domain.errors import IsotrackInputError
from isotrack.domain.events import EVENT_ID_PATTERN
from isotrack.domain.timeline import load_timeline, parse_event
from isotrack.interop.fhir import codes
from isotrack.interop.fhir.elements import (
    JsonDict,
    code_in,
    date_part,
    extension_value,
    identifier_value,
    reference_key,
)
from isotrack.interop.fhir.mapping import EventMapping, ReadContext
from isotrack.interop.fhir.medication import (
    generic_product_for,
    medications_of,
    unknown_medicine,
    unresolved_medication,
)
from isotrack.interop.fhir.patient import patient_from_fhir
from isotrack.interop.fhir.registry import BY_EVENT_TYPE, candidates
from isotrack.interop.fhir.report import ConversionReport, Finding, TimelineResult

_EVENT_ID = re.compile(EVENT_ID_PATTERN)
_IN_ERROR = "entered-in-error"


def resources_of(bundle: Any, report: ConversionReport) -> list[JsonDict]:
    """The resources of a Bundle (or a JSON list of resources), skipping what is not one."""
    if isinstance(bundle, (str, bytes)):
        try:
            bundle = json.loads(bundle)
        except json.JSONDecodeError as exc:
            report.warnings.append(Finding("(document)", f"not valid JSON ({exc.msg})"))
            return []
    if isinstance(bundle, list):
        entries: Iterable[Any] = ({"resource": r} for r in bundle)
    elif isinstance(bundle, Mapping) and bundle.get("resourceType") == "Bundle":
        if "type" not in bundle:
            report.warnings.append(Finding("Bundle", "Bundle.type is missing; read anyway"))
        raw = bundle.get("entry", [])
        entries = raw if isinstance(raw, list) else []
    elif isinstance(bundle, Mapping) and isinstance(bundle.get("resourceType"), str):
        entries = [{"resource": bundle}]
    else:
        report.warnings.append(Finding("(document)", "neither a Bundle nor a FHIR resource"))
        return []
    found: list[JsonDict] = []
    for index, entry in enumerate(entries):
        resource = entry.get("resource") if isinstance(entry, Mapping) else None
        if not isinstance(resource, Mapping) or not isinstance(resource.get("resourceType"), str):
            report.warnings.append(
                Finding(f"entry {index}", "holds no FHIR resource (a placeholder?); skipped")
            )
            continue
        found.append(dict(resource))
    return found


def bundle_to_timeline(
    bundle: Any,
    product_names: Mapping[str, str],
    lab_loinc: frozenset[str],
    *,
    policy: str | None = None,
    rxnorm_products: Mapping[str, str] | None = None,
) -> TimelineResult:
    """The course in ``bundle``; ``policy`` applies when the Patient does not name one."""
    report = ConversionReport()
    resources = resources_of(bundle, report)
    patients = [r for r in resources if r["resourceType"] == "Patient"]
    if not patients:
        report.warnings.append(Finding("Bundle", "no Patient: no course can be built"))
        return TimelineResult(None, report)
    if len(patients) > 1:
        report.warnings.append(Finding("Bundle", "more than one Patient; only the first is read"))
    patient_resource = patients[0]
    patient_key = f"Patient/{patient_resource.get('id')}"
    notes: list[str] = []
    patient, named_policy = patient_from_fhir(patient_resource, notes)
    report.warnings.extend(Finding(patient_key, note) for note in notes)
    chosen_policy = named_policy or policy
    if patient["birth_date"] is None or patient["id"] is None:
        return TimelineResult(None, report)
    if chosen_policy is None:
        report.warnings.append(
            Finding(patient_key, "no programme policy is named; give one to read the course")
        )
        return TimelineResult(None, report)
    others = [r for r in resources if r["resourceType"] != "Patient"]
    # A Medication is no event: it must not take an id an order or dispense would carry.
    event_ids = _assign_event_ids([r for r in others if r["resourceType"] != "Medication"])
    ctx = ReadContext(
        event_ids=event_ids,
        product_names=product_names,
        generic_product=generic_product_for(chosen_policy),
        lab_loinc=lab_loinc,
        report_dates=_report_dates(others),
        rxnorm_products=rxnorm_products or {},
        medications=medications_of(others),
    )
    voided_keys = {
        reference_key(t)
        for r in others
        if r["resourceType"] == "Provenance"
        and code_in(r.get("activity"), codes.V3_DATA_OPERATION) == "NULLIFY"
        for t in (r.get("target") or [])
    }
    events: list[dict[str, Any]] = []
    for resource in others:
        key = _key(resource)
        subject = reference_key(resource.get("subject") or resource.get("patient"))
        if subject is not None and subject != patient_key:
            report.ignored.append(Finding(key, "about another patient"))
            continue
        event = _read_one(resource, key, key in voided_keys, ctx, report)
        if event is not None:
            events.append(event)
    document = {
        "schema": "isotrack.timeline/1", "policy": chosen_policy, "patient": patient,
        "events": events,
    }  # fmt: skip
    try:
        return TimelineResult(load_timeline(document), report)
    except IsotrackInputError as exc:
        for problem in exc.problems:
            report.warnings.append(Finding(problem.location, f"{problem.field}: {problem.allowed}"))
        return TimelineResult(None, report)


def _report_dates(resources: list[JsonDict]) -> dict[str, str]:
    dates: dict[str, str] = {}
    for report in resources:
        if report["resourceType"] != "DiagnosticReport":
            continue
        when = date_part(report.get("effectiveDateTime"))
        period = report.get("effectivePeriod")
        when = when or date_part(period.get("start") if isinstance(period, Mapping) else None)
        results = report.get("result")
        for result in results if isinstance(results, list) and when else []:
            key = reference_key(result)
            if key is not None and when is not None:
                dates[key] = when
    return dates


def _key(resource: JsonDict) -> str:
    return f"{resource['resourceType']}/{resource.get('id', '?')}"


def _assign_event_ids(resources: list[JsonDict]) -> dict[str, str]:
    """The event id of each resource: its isotrack identifier, else its FHIR id."""
    ids: dict[str, str] = {}
    used: set[str] = set()
    for index, resource in enumerate(resources):
        found = identifier_value(resource.get("identifier"), codes.EVENT_ID_SYSTEM)
        found = found or extension_value(resource, codes.EXT_EVENT_ID, "valueString")
        raw_id = resource.get("id")
        candidate = found or (raw_id if isinstance(raw_id, str) else None)
        if candidate is None or not _EVENT_ID.match(candidate) or candidate in used:
            candidate = f"fhir-{resource['resourceType'].lower()}-{index}"
        used.add(candidate)
        ids[_key(resource)] = candidate
    return ids


def _tagged_type(resource: JsonDict) -> str | None:
    meta = resource.get("meta")
    tags = meta.get("tag") if isinstance(meta, Mapping) else None
    for tag in tags if isinstance(tags, list) else []:
        if isinstance(tag, Mapping) and tag.get("system") == codes.EVENT_TYPE_TAG:
            return str(tag.get("code"))
    return None


def _mapping_for(resource: JsonDict, ctx: ReadContext) -> EventMapping | None:
    tagged = _tagged_type(resource)
    if tagged is not None:
        mapping = BY_EVENT_TYPE.get(tagged)
        if mapping is not None and mapping.resource_type == resource["resourceType"]:
            return mapping
    for mapping in candidates(resource["resourceType"]):
        if mapping.recognises(resource, ctx):
            return mapping
    return None


def _in_error(resource: JsonDict) -> bool:
    if resource.get("status") == _IN_ERROR:
        return True
    return (
        code_in(
            resource.get("verificationStatus"),
            codes.VERIFICATION_STATUS.get(resource["resourceType"], ""),
        )
        == _IN_ERROR
    )


def _read_one(
    resource: JsonDict, key: str, voided_here: bool, ctx: ReadContext, report: ConversionReport
) -> dict[str, Any] | None:
    if _in_error(resource) and not voided_here:
        report.ignored.append(Finding(key, "marked entered in error"))
        return None
    unknown = unresolved_medication(resource, ctx.medications)
    if unknown is not None:
        # Only a reference, to a Medication not sent: whether it is isotretinoin is unknown,
        # and an unknown is said, never read as "not isotretinoin" (or as another medicine).
        report.warnings.append(Finding(key, f"{unknown_medicine(unknown, 'it')}; not read"))
        return None
    try:
        mapping = _mapping_for(resource, ctx)
    except Exception as exc:
        report.warnings.append(Finding(key, f"could not be read ({type(exc).__name__})"))
        return None
    if mapping is None:
        if resource["resourceType"] != "Medication":  # read as the medicine of its orders
            report.ignored.append(Finding(key, _why_ignored(resource["resourceType"])))
        return None
    ctx.warnings.clear()
    try:
        fields = mapping.from_fhir(resource, ctx)
    except Exception as exc:
        report.warnings.append(Finding(key, f"could not be read ({type(exc).__name__})"))
        return None
    report.warnings.extend(Finding(key, message) for message in ctx.warnings)
    if fields is None:
        return None
    if fields.get("date") is None:
        report.warnings.append(Finding(key, "has no date; not read"))
        return None
    event: dict[str, Any] = {"id": ctx.event_ids[key], "type": mapping.event_type}
    event.update({k: v for k, v in fields.items() if v is not None})
    time = extension_value(resource, codes.EXT_TIME_OF_DAY, "valueTime")
    recorded_by = extension_value(resource, codes.EXT_RECORDED_BY, "valueString")
    note = extension_value(resource, codes.EXT_NOTE, "valueString") or _annotation(resource)
    for name, value in (("time", time), ("recorded_by", recorded_by), ("note", note)):
        if isinstance(value, str):
            event[name] = value
    try:
        parse_event(event)
    except IsotrackInputError as exc:
        for problem in exc.problems:
            report.warnings.append(
                Finding(key, f"{problem.field} = {problem.value!r}: expected {problem.allowed}")
            )
        return None
    return event


def _annotation(resource: JsonDict) -> str | None:
    notes = resource.get("note")
    if isinstance(notes, list) and notes and isinstance(notes[0], Mapping):
        text = notes[0].get("text")
        return text if isinstance(text, str) else None
    return None


def _why_ignored(resource_type: str) -> str:
    if resource_type in ("MedicationRequest", "MedicationDispense"):
        return "not isotretinoin"
    if resource_type == "Observation":
        return "not a measurement isotrack reads"
    if resource_type == "MedicationStatement":
        # the screening mapping reads every other medicine, so this one is isotretinoin
        return (
            "an isotretinoin statement isotrack did not write: course start, end and pauses "
            "are not guessed from it"
        )
    return f"isotrack does not read {resource_type} resources"
