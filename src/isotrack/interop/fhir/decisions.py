"""isotrack's outputs as FHIR: a monitoring alert as DetectedIssue (or Flag, for a hold shown
on the chart), and a dispense decision as GuidanceResponse.

References point at the resources the course's events become (``writer.resource_keys``), so
the alert names the same events in FHIR as in isotrack.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from isotrack.engines.monitoring.alerts import Alert
from isotrack.engines.programme.report import DispenseDecision
from isotrack.interop.fhir import codes
from isotrack.interop.fhir.elements import JsonDict, coding, concept, fhir_id

# DetectedIssue.severity: high | moderate | low
_ISSUE_SEVERITY = {"critical": "high", "warning": "moderate", "info": "low"}


def alert_id(alert: Alert) -> str:
    """A stable id: the same alert on the same events keeps its id from one run to the next."""
    digest = hashlib.sha256("|".join([alert.code, *alert.event_ids]).encode()).hexdigest()
    return fhir_id(f"alert-{alert.code}")[:40] + "-" + digest[:12]


def _implicated(alert: Alert, keys: Mapping[str, str]) -> list[JsonDict]:
    return [{"reference": keys[e]} for e in alert.event_ids if e in keys]


def alert_to_detected_issue(
    alert: Alert, patient_reference: JsonDict, keys: Mapping[str, str]
) -> JsonDict:
    resource: JsonDict = {
        "resourceType": "DetectedIssue",
        "id": fhir_id(alert_id(alert)),
        "identifier": [{"system": codes.ALERT_SYSTEM, "value": alert.code}],
        "status": "final",
        "code": concept(coding(codes.ALERT_SYSTEM, alert.code), text=str(alert.topic)),
        "severity": _ISSUE_SEVERITY[alert.severity.value],
        "patient": patient_reference,
        "detail": alert.message,
    }
    implicated = _implicated(alert, keys)
    if implicated:
        resource["implicated"] = implicated
    if alert.action:
        resource["mitigation"] = [{"action": concept(text=alert.action)}]
    return resource


def alert_to_flag(alert: Alert, patient_reference: JsonDict) -> JsonDict:
    """A chart flag for an alert that must be seen on every visit (a clinical hold)."""
    return {
        "resourceType": "Flag",
        "id": fhir_id(alert_id(alert)),
        "identifier": [{"system": codes.ALERT_SYSTEM, "value": alert.code}],
        "status": "active",
        "code": concept(coding(codes.ALERT_SYSTEM, alert.code), text=alert.message),
        "subject": patient_reference,
    }


def decision_to_guidance_response(
    decision: DispenseDecision, patient_reference: JsonDict, keys: Mapping[str, str]
) -> JsonDict:
    """``success`` when dispensing is authorized, else ``data-required`` (requirements unmet,
    which the REMS IG calls Incomplete/Needed), with each reason as a coded rule."""
    parameters: list[JsonDict] = [{"name": "authorized", "valueBoolean": decision.authorized}]
    if decision.prescription_id and decision.prescription_id in keys:
        parameters.append(
            {
                "name": "prescription",
                "valueReference": {"reference": keys[decision.prescription_id]},
            }
        )
    if decision.dispense_by is not None:
        parameters.append({"name": "dispense-by", "valueDate": decision.dispense_by.isoformat()})
    if decision.max_days_supply is not None:
        parameters.append({"name": "max-days-supply", "valueInteger": decision.max_days_supply})
    resource: JsonDict = {
        "resourceType": "GuidanceResponse",
        "id": fhir_id(f"decision-{decision.prescription_id or 'none'}-{decision.on.isoformat()}"),
        "contained": [{"resourceType": "Parameters", "id": "decision", "parameter": parameters}],
        "moduleUri": f"{codes.MODULE_URI}/{decision.policy.id}",
        "status": "success" if decision.authorized else "data-required",
        "subject": patient_reference,
        "occurrenceDateTime": decision.on.isoformat(),
        "outputParameters": {"reference": "#decision"},
    }
    if decision.reasons:
        resource["reasonCode"] = [
            concept(coding(codes.RULE_SYSTEM, reason.rule_id), text=reason.message)
            for reason in decision.reasons
        ]
    notes = [step.what for step in decision.next_steps] + list(decision.notes)
    if notes:
        resource["note"] = [{"text": text} for text in notes]
    return resource
