"""The US Medication REMS IG (STU2) ``$rems-etasu`` operation, both halves (pure).

In: a Parameters with ``patient`` (a Patient resource) and ``medication`` (a Medication, or an
order carrying one), or a ``case_number`` (``caseNumber`` is accepted too: MITRE's prototype
reads that spelling). isotrack's case number is the course id. The patient is found by its
logical id or its identifiers, never by name and birth date.

Out: a Parameters whose ``rems-etasu`` GuidanceResponse points at a contained Parameters
(``#etasuOutputParameters``) holding one GuidanceResponse per ETASU requirement, named by the
requirement, its explanation in ``note``: met -> ``success``; unmet or due -> ``data-required``;
each clinical hold (a critical alert no prescriber has lifted, a pregnancy) -> ``failure``.
Requirements that do not apply to this patient are left out. The outer status is ``failure``
with any hold, else ``data-required`` when a requirement that gates the dispense is not met,
else ``success``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from isotrack.engines.programme.report import ProgrammeReport, RequirementStatus
from isotrack.interop.fhir import codes
from isotrack.interop.fhir.elements import JsonDict, coding, concept, reference
from isotrack.interop.fhir.medication import is_isotretinoin, medication_concept_of

REQUIREMENT_SYSTEM = f"{codes.ISOTRACK_BASE}/programme-requirement"
HOLD_SYSTEM = f"{codes.ISOTRACK_BASE}/clinical-hold"
_STATUS = {
    RequirementStatus.MET: "success",
    RequirementStatus.UNMET: "data-required",
    RequirementStatus.DUE: "data-required",
    # A fact is missing (a kit's sensitivity): the record must be completed, never "success".
    RequirementStatus.UNKNOWN: "data-required",
}


@dataclass
class EtasuRequest:
    """What the caller asked about; ``problems`` are (parameter, explanation) pairs."""

    patient_id: str | None = None
    identifiers: list[tuple[str, str]] = field(default_factory=list)
    case_number: str | None = None
    problems: list[tuple[str, str]] = field(default_factory=list)


def read_etasu_request(body: Any, product_names: Mapping[str, str]) -> EtasuRequest:
    """The request in ``body`` (parsed JSON); never raises, problems name the parameter."""
    request = EtasuRequest()
    if not isinstance(body, Mapping) or body.get("resourceType") != "Parameters":
        request.problems.append(("Parameters", "the body must be a FHIR Parameters resource"))
        return request
    parameters = body.get("parameter")
    if not isinstance(parameters, list):
        request.problems.append(("Parameters.parameter", "must be a list of parameters"))
        return request
    medication_seen = False
    for index, parameter in enumerate(parameters):
        where = f"Parameters.parameter[{index}]"
        if not isinstance(parameter, Mapping) or not isinstance(parameter.get("name"), str):
            request.problems.append((where, "each parameter needs a name"))
            continue
        name = parameter["name"]
        resource = parameter.get("resource")
        if name == "patient":
            _read_patient(request, resource, parameter.get("valueReference"), where)
        elif name == "medication":
            medication_seen = True
            _check_medication(request, resource, product_names, where)
        elif name in ("case_number", "caseNumber"):
            value = parameter.get("valueString")
            if isinstance(value, str) and value.strip():
                request.case_number = value.strip()
            else:
                request.problems.append((where, f"{name} needs a non-empty valueString"))
    if request.case_number is None:
        if request.patient_id is None and not request.identifiers:
            request.problems.append(
                ("patient", "send a Patient (with an id or an identifier) or a case_number")
            )
        if not medication_seen:
            request.problems.append(("medication", "send the Medication asked about"))
    return request


def _read_patient(request: EtasuRequest, resource: Any, ref: Any, where: str) -> None:
    if isinstance(ref, Mapping) and isinstance(ref.get("reference"), str):
        request.patient_id = ref["reference"].rsplit("/", 1)[-1] or None
        return
    if not isinstance(resource, Mapping) or resource.get("resourceType") != "Patient":
        request.problems.append((where, "patient must be a Patient resource"))
        return
    if isinstance(resource.get("id"), str) and resource["id"]:
        request.patient_id = resource["id"]
    found = resource.get("identifier")
    for item in found if isinstance(found, list) else []:
        if isinstance(item, Mapping):
            system, value = item.get("system"), item.get("value")
            if isinstance(system, str) and isinstance(value, str) and system and value:
                request.identifiers.append((system, value))


def _check_medication(
    request: EtasuRequest, resource: Any, product_names: Mapping[str, str], where: str
) -> None:
    if not isinstance(resource, Mapping) or not isinstance(resource.get("resourceType"), str):
        request.problems.append((where, "medication must be a Medication resource"))
        return
    value = resource.get("code") if resource["resourceType"] == "Medication" else None
    value = value if value is not None else medication_concept_of(resource)
    if not is_isotretinoin(value, product_names):
        request.problems.append(
            (where, "isotrack administers the isotretinoin programme only; this medication "
                    "is not coded as isotretinoin (RxNorm 6064 or a known product)")
        )  # fmt: skip


def _guidance(status: str, module: str, **more: Any) -> JsonDict:
    return {"resourceType": "GuidanceResponse", "moduleUri": module, "status": status, **more}


def etasu_response(
    report: ProgrammeReport, patient_id: str, case_number: str, on: dt.date
) -> JsonDict:
    """The ETASU answer for one course on ``on`` (the programme report of that day)."""
    module = f"{codes.MODULE_URI}/{report.policy.id}"
    answers: list[JsonDict] = []
    for requirement in report.requirements:
        status = _STATUS.get(requirement.status)
        if status is None:
            continue  # not applicable to this patient
        text = requirement.message
        if requirement.due_date is not None and status != "success":
            text += f" (due {requirement.due_date.isoformat()})"
        answers.append(
            {
                "name": requirement.title,
                "resource": _guidance(
                    status, module,
                    identifier=[{"system": REQUIREMENT_SYSTEM, "value": requirement.id}],
                    reasonCode=[concept(coding(codes.RULE_SYSTEM, requirement.rule_id))],
                    note=[{"text": text}],
                ),
            }
        )  # fmt: skip
    holds = report.dispense_decision.clinical_holds
    for hold in holds:
        answers.append(
            {
                "name": "No clinical hold",
                "resource": _guidance(
                    "failure", module,
                    identifier=[{"system": HOLD_SYSTEM, "value": hold.alert_id}],
                    reasonCode=[concept(coding(codes.ALERT_SYSTEM, hold.code))],
                    note=[{"text": f"{hold.message} {hold.action}".strip()}],
                ),
            }
        )  # fmt: skip
    # The case's own status answers "may it be dispensed?": requirements that do not gate the
    # dispense (the test one month after the last dose) are listed but do not hold it up.
    missing = any(
        r.gates_dispense and _STATUS.get(r.status) == "data-required" for r in report.requirements
    )
    overall = "failure" if holds else "data-required" if missing else "success"
    answers.append({"name": "case_number", "valueString": case_number})
    return _wrap(
        _guidance(
            overall, module,
            contained=[{"resourceType": "Parameters", "id": "etasuOutputParameters",
                        "parameter": answers}],
            subject=reference("Patient", patient_id),
            occurrenceDateTime=on.isoformat(),
            outputParameters={"reference": "#etasuOutputParameters"},
        )
    )  # fmt: skip


def etasu_not_found(on: dt.date) -> JsonDict:
    """No case for this patient that the caller may see: the IG's ``failure`` (Not Found)."""
    return _wrap(
        _guidance(
            "failure", codes.MODULE_URI, occurrenceDateTime=on.isoformat(),
            note=[{"text": "No isotrack course was found for this patient or case number. "
                           "Enrol the patient in isotrack before dispensing."}],
        )
    )  # fmt: skip


def _wrap(guidance: JsonDict) -> JsonDict:
    return {
        "resourceType": "Parameters",
        "parameter": [{"name": "rems-etasu", "resource": guidance}],
    }
