"""One patient's FHIR resources in, that patient's course timelines out: the interop mapper's
work, done where the engines run (a pool worker, a Spark task) rather than in the reader, so it
is shared between the cores like the judging.

A FHIR Bulk reader ships each patient's resources as one line ``{"fhir_resources": [...],
"policy": ...}``; :func:`courses_of_group` turns it into timelines, each with the resources the
mapper could not read (or read only on an assumption it states), or into text saying why no
course could be read. Resources that name no patient are not shipped: the reader counts them by
type and ships one line per type, ``{"fhir_unowned": "Practitioner", "count": 12}``.

Bulk NDJSON does not keep the recording order of events (docs/fhir-mapping.md), which the
audit needs to judge a dispense on what was recorded before it; the events of each course are
therefore put in date order, corrections last within a day (decision 37).
"""

from __future__ import annotations

import json
from typing import Any, NamedTuple

from isotrack.domain.timeline import Timeline
from isotrack.interop.fhir.bulk import NAMES_NO_PATIENT as NO_PATIENT_IN_EXPORT
from isotrack.interop.fhir.bulk import group_by_patient
from isotrack.interop.fhir.convert import fhir_to_timeline
from isotrack.interop.fhir.report import ConversionReport, Finding
from isotrack.knowledge import Knowledge

FHIR_GROUP = "fhir_resources"
GROUP_PREFIX = '{"' + FHIR_GROUP + '"'
UNOWNED = "fhir_unowned"
UNOWNED_PREFIX = '{"' + UNOWNED + '"'
# What the audit says of a resource that names no patient (nothing of it can be judged).
NAMES_NO_PATIENT = f"{NO_PATIENT_IN_EXPORT}; nothing in it was checked"
CORRECTIONS = ("void", "amend")


def group_line(resources_json: list[str], policy: str | None) -> str:
    """The line of one patient's resources (each already JSON text, joined without parsing)."""
    head = "" if policy is None else f',"policy":{json.dumps(policy)}'
    return f"{GROUP_PREFIX}:[{','.join(resources_json)}]{head}}}"


class Unmapped(NamedTuple):
    """Why no course could be read from a patient's resources (``patient_id`` empty when the
    resources name no Patient of the export)."""

    patient_id: str
    reason: str


def unowned_line(resource_type: str, count: int) -> str:
    """The line standing for ``count`` resources of one type that name no patient."""
    return json.dumps({UNOWNED: resource_type, "count": count}, separators=(",", ":"))


def courses_of_group(
    knowledge: Knowledge, resources: list[dict[str, Any]], policy: str | None
) -> list[tuple[Timeline, list[Finding]] | Unmapped]:
    """Each course the resources hold (one per Patient) with the mapper's warnings about it
    (what was not read, or read on an assumption), or why no course could be read."""
    found: list[tuple[Timeline, list[Finding]] | Unmapped] = []
    for key, owned in group_by_patient(resources, ConversionReport()).items():
        result = fhir_to_timeline(knowledge, owned, policy=policy)
        if result.timeline is None:
            problems = "; ".join(w.message for w in result.report.warnings[:3])
            reason = f"no course could be read ({problems or 'no events'})"
            found.append(Unmapped(key.removeprefix("Patient/"), reason))
            continue
        found.append((in_date_order(result.timeline), result.report.warnings))
    if not found:
        found.append(Unmapped("", "the resources' subject is not a Patient in this export"))
    return found


def read_group(knowledge: Knowledge, line: str) -> list[tuple[Timeline, list[Finding]] | Unmapped]:
    data = json.loads(line)
    resources = data.get(FHIR_GROUP)
    if not isinstance(resources, list):
        return [Unmapped("", f"{FHIR_GROUP}: expected a list of FHIR resources")]
    policy = data.get("policy")
    return courses_of_group(knowledge, resources, policy if isinstance(policy, str) else None)


def in_date_order(timeline: Timeline) -> Timeline:
    events = sorted(timeline.events, key=lambda e: (e.date, e.type in CORRECTIONS))
    return timeline.model_copy(update={"events": events})
