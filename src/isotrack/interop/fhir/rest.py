"""What isotrack's FHIR REST endpoints answer (pure): the CapabilityStatement, OperationOutcome
for every error, and a course as the searchset Bundle of ``Patient/$everything``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from isotrack.interop.fhir import codes
from isotrack.interop.fhir.elements import JsonDict

FHIR_JSON = "application/fhir+json"
# R4's own operation; the REMS IG's operation is named by isotrack's canonical because no
# reference note gives a verified canonical for the IG's OperationDefinition.
EVERYTHING_DEFINITION = "http://hl7.org/fhir/OperationDefinition/Patient-everything"
REMS_ETASU_DEFINITION = f"{codes.ISOTRACK_BASE}/OperationDefinition/rems-etasu"


def operation_outcome(code: str, text: str, *, expression: str | None = None) -> JsonDict:
    """One error issue; ``code`` from the R4 issue-type value set (invalid, not-found, ...)."""
    issue: JsonDict = {"severity": "error", "code": code, "diagnostics": text}
    if expression:
        issue["expression"] = [expression]
    return {"resourceType": "OperationOutcome", "issue": [issue]}


def capability_statement(base_url: str, version: str, released: dt.date) -> JsonDict:
    """What isotrack's FHIR endpoint supports, for ``GET [base]/metadata``."""
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": released.isoformat(),
        "publisher": "isotrack",
        "kind": "instance",
        "software": {"name": "isotrack", "version": version},
        "implementation": {
            "description": "isotrack: isotretinoin courses, pregnancy-prevention programme and "
            "safety monitoring (decision support for licensed prescribers)",
            "url": base_url,
        },
        "fhirVersion": "4.0.1",
        "format": [FHIR_JSON, "json"],
        "rest": [
            {
                "mode": "server",
                "documentation": "Courses are stored through isotrack's own API and CLI "
                "(`isotrack import --format fhir`); this endpoint reads them and answers the "
                "REMS ETASU question.",
                "security": {
                    "cors": False,
                    "service": [
                        {
                            "coding": [
                                {
                                    "system": "http://terminology.hl7.org/CodeSystem/"
                                    "restful-security-service",
                                    "code": "OAuth",
                                    "display": "OAuth",
                                }
                            ],
                            "text": "Bearer token",
                        }
                    ],
                    "description": "Send `Authorization: Bearer <token>` with a token from "
                    "POST /api/v1/auth/token. SMART App Launch is not offered. A caller sees "
                    "only the courses their role and care reach; others read as not found.",
                },
                "resource": [
                    {
                        "type": "Patient",
                        "operation": [{"name": "everything", "definition": EVERYTHING_DEFINITION}],
                    },
                    {
                        "type": "GuidanceResponse",
                        "operation": [{"name": "rems-etasu", "definition": REMS_ETASU_DEFINITION}],
                    },
                ],
            }
        ],
    }


def everything_bundle(course_bundle: JsonDict, base_url: str) -> JsonDict:
    """The course's ``collection`` Bundle as the ``searchset`` ``$everything`` returns: each
    entry with its full URL, the Patient as the match and the rest as included."""
    entries: list[JsonDict] = []
    for entry in course_bundle.get("entry", []):
        resource: Any = entry.get("resource")
        if not isinstance(resource, dict):
            continue
        mode = "match" if resource["resourceType"] == "Patient" else "include"
        entries.append(
            {
                "fullUrl": f"{base_url}/{resource['resourceType']}/{resource['id']}",
                "resource": resource,
                "search": {"mode": mode},
            }
        )
    return {"resourceType": "Bundle", "type": "searchset", "total": 1, "entry": entries}
