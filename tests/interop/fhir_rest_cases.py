"""Requests an EHR or a pharmacy system sends to isotrack's FHIR endpoint."""

from __future__ import annotations

from typing import Any

ISOTRETINOIN = {
    "resourceType": "Medication",
    # Coded as the REMS IG's own example codes it: the RxNorm ingredient, not coding[0] only.
    "code": {
        "coding": [
            {"system": "http://example.org/local-formulary", "code": "ISO-20"},
            {"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "6064"},
        ],
        "text": "Isotretinoin 20 MG Oral Capsule",
    },
}
WARFARIN = {
    "resourceType": "Medication",
    "code": {"coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm",
                         "code": "11289", "display": "warfarin"}]},
}  # fmt: skip


def etasu_request(
    patient: dict[str, Any] | None, medication: dict[str, Any] | None = ISOTRETINOIN,
    **extra: str,
) -> dict[str, Any]:  # fmt: skip
    parameters: list[dict[str, Any]] = []
    if patient is not None:
        parameters.append({"name": "patient", "resource": {"resourceType": "Patient", **patient}})
    if medication is not None:
        parameters.append({"name": "medication", "resource": medication})
    parameters += [{"name": name, "valueString": value} for name, value in extra.items()]
    return {"resourceType": "Parameters", "parameter": parameters}


def etasu_answers(response: dict[str, Any]) -> tuple[str, dict[str, str]]:
    """(overall status, requirement name -> status) of a ``$rems-etasu`` answer."""
    (outer,) = response["parameter"]
    guidance = outer["resource"]
    contained = guidance.get("contained", [])
    found = {}
    for item in contained[0]["parameter"] if contained else []:
        if "resource" in item:
            found[item["resource"]["identifier"][0]["value"]] = item["resource"]["status"]
    return guidance["status"], found
