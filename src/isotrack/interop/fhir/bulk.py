"""FHIR Bulk Data NDJSON: one file per resource type (``Patient.ndjson``, ...), one resource a
line; and reading a bulk folder back into one timeline per Patient.

Pure functions over text and paths given by the caller; the store-backed export and import
commands sit on top of these.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from isotrack.interop.fhir.elements import reference_key
from isotrack.interop.fhir.report import ConversionReport, Finding


def group_by_type(bundles: Iterable[Mapping[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Resources of the Bundles grouped by resource type, in order."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    for bundle in bundles:
        for entry in bundle.get("entry", []):
            resource = entry.get("resource")
            if isinstance(resource, dict):
                grouped.setdefault(resource["resourceType"], []).append(resource)
    return grouped


def ndjson_files(bundles: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """File name -> NDJSON text, one file per resource type."""
    return {
        f"{resource_type}.ndjson": "".join(
            json.dumps(r, separators=(",", ":"), ensure_ascii=False) + "\n" for r in resources
        )
        for resource_type, resources in sorted(group_by_type(bundles).items())
    }


def write_bulk(directory: Path, bundles: Iterable[Mapping[str, Any]]) -> list[Path]:
    """Write the NDJSON files into ``directory`` (created if needed); returns their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in ndjson_files(bundles).items():
        path = directory / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def read_bulk(directory: Path, report: ConversionReport) -> dict[str, list[dict[str, Any]]]:
    """Resources of every ``*.ndjson`` file grouped by patient (see ``group_by_patient``).
    Bad lines are warnings, never errors."""
    resources: list[dict[str, Any]] = []
    for path in sorted(directory.glob("*.ndjson")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                resource = json.loads(line)
            except json.JSONDecodeError as exc:
                report.warnings.append(Finding(f"{path.name}:{number}", f"not JSON ({exc.msg})"))
                continue
            if not isinstance(resource, dict) or not isinstance(resource.get("resourceType"), str):
                report.warnings.append(Finding(f"{path.name}:{number}", "not a FHIR resource"))
                continue
            resources.append(resource)
    return group_by_patient(resources, report)


def group_by_patient(
    resources: list[dict[str, Any]], report: ConversionReport
) -> dict[str, list[dict[str, Any]]]:
    """``Patient/id`` -> the Patient, then every resource whose subject or patient names it
    (a Provenance goes with the resource it corrects). Each group reads as one course."""
    groups: dict[str, list[dict[str, Any]]] = {
        f"Patient/{r.get('id')}": [r] for r in resources if r["resourceType"] == "Patient"
    }
    for resource in resources:
        if resource["resourceType"] == "Patient":
            continue
        owner = reference_key(resource.get("subject") or resource.get("patient"))
        if owner is None and resource["resourceType"] == "Provenance":
            owner = _provenance_owner(resource, resources)
        if owner in groups:
            groups[owner].append(resource)
        else:
            where = f"{resource['resourceType']}/{resource.get('id')}"
            report.ignored.append(Finding(where, "names no Patient in this export"))
    return groups


def _provenance_owner(provenance: dict[str, Any], resources: list[dict[str, Any]]) -> str | None:
    """A Provenance belongs to the patient of the resource it corrects."""
    targets = {reference_key(t) for t in provenance.get("target") or []}
    for resource in resources:
        if f"{resource['resourceType']}/{resource.get('id')}" in targets:
            return reference_key(resource.get("subject") or resource.get("patient"))
    return None
