"""FHIR Bulk Data NDJSON: one file per resource type (``Patient.ndjson``, ...), one resource a
line; and reading a bulk folder back into one timeline per Patient.

Pure functions over text and paths given by the caller; the store-backed export and import
commands sit on top of these.
"""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from isotrack.interop.fhir.elements import reference_key
from isotrack.interop.fhir.medication import medications_of
from isotrack.interop.fhir.report import ConversionReport, Finding

# A Bulk client may keep the server's gzip content encoding on disk (``Patient.ndjson.gz``);
# both spellings are read, so a national export need not be inflated first.
BULK_SUFFIXES = (".ndjson", ".ndjson.gz")

# Why a resource of an export belongs to no course.
NAMES_NO_PATIENT = "names no Patient in this export"


def bulk_files(directory: Path) -> list[Path]:
    """The export's NDJSON files in ``directory``, plain or gzip-compressed, sorted by name."""
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if p.is_file() and p.name.endswith(BULK_SUFFIXES))


def resource_type_of(path: Path) -> str:
    """``Patient`` for ``Patient.ndjson``, ``Patient.ndjson.gz`` and the numbered parts servers
    write when a type holds many resources (``Patient.002.ndjson``, ``1.Patient.ndjson``)."""
    stem = path.name.removesuffix(".gz").removesuffix(".ndjson")
    return next((part for part in stem.split(".") if part[:1].isupper()), stem)


def part_file_name(name: str, part: int | None) -> str:
    """``Observation.ndjson.gz`` as the file of ``part`` (0 gives ``Observation.001.ndjson.gz``),
    the shape ``resource_type_of`` reads back; ``None`` keeps the single file's name."""
    if part is None:
        return name
    resource_type, _, suffix = name.partition(".")
    return f"{resource_type}.{part + 1:03d}.{suffix}"


def open_ndjson(path: Path) -> io.BufferedIOBase:
    """One export file's bytes, inflated when it is gzip-compressed."""
    if path.name.endswith(".gz"):
        return gzip.GzipFile(path, "rb")
    return io.BufferedReader(io.FileIO(path, "rb"))


def ndjson_text(path: Path) -> str:
    """The text of one export file, inflated when it is gzip-compressed."""
    with open_ndjson(path) as raw:
        return raw.read().decode("utf-8")


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
    """Resources of every ``*.ndjson`` (or ``*.ndjson.gz``) file grouped by patient (see
    ``group_by_patient``). Bad lines are warnings, never errors."""
    resources: list[dict[str, Any]] = []
    for path in bulk_files(directory):
        for number, line in enumerate(ndjson_text(path).splitlines(), start=1):
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
    (a Provenance goes with the resource it corrects, a Medication with each group whose
    orders name it). Each group reads as one course."""
    groups: dict[str, list[dict[str, Any]]] = {
        f"Patient/{r.get('id')}": [r] for r in resources if r["resourceType"] == "Patient"
    }
    medications = medications_of(resources)
    for resource in resources:
        if resource["resourceType"] == "Patient":
            continue
        if resource["resourceType"] == "Medication":  # shared: goes where it is named
            continue
        owner = reference_key(resource.get("subject") or resource.get("patient"))
        if owner is None and resource["resourceType"] == "Provenance":
            owner = _provenance_owner(resource, resources)
        if owner in groups:
            groups[owner].append(resource)
        else:
            where = f"{resource['resourceType']}/{resource.get('id')}"
            report.ignored.append(Finding(where, NAMES_NO_PATIENT))
    for owned in groups.values():
        named = {reference_key(r.get("medicationReference")) or "" for r in owned}
        owned.extend(dict(medications[key]) for key in sorted(named) if key in medications)
    return groups


def _provenance_owner(provenance: dict[str, Any], resources: list[dict[str, Any]]) -> str | None:
    """A Provenance belongs to the patient of the resource it corrects."""
    targets = {reference_key(t) for t in provenance.get("target") or []}
    for resource in resources:
        if f"{resource['resourceType']}/{resource.get('id')}" in targets:
            return reference_key(resource.get("subject") or resource.get("patient"))
    return None
