"""One patient's FHIR resources in, that patient's course timelines out: the interop mapper's
work, done where the engines run (a pool worker, a Spark task) rather than in the reader, so it
is shared between the cores like the judging.

A FHIR Bulk reader ships each patient's resources as one line ``{"fhir_resources": [...],
"policy": ...}``; :func:`courses_of_group` turns it into timelines, or into text saying why no
course could be read.

Bulk NDJSON does not keep the recording order of events (docs/fhir-mapping.md), which the
audit needs to judge a dispense on what was recorded before it; the events of each course are
therefore put in date order, corrections last within a day (decision 37).
"""

from __future__ import annotations

import json
from typing import Any

from isotrack.domain.timeline import Timeline
from isotrack.interop.fhir.bulk import group_by_patient
from isotrack.interop.fhir.convert import fhir_to_timeline
from isotrack.interop.fhir.report import ConversionReport
from isotrack.knowledge import Knowledge

FHIR_GROUP = "fhir_resources"
GROUP_PREFIX = '{"' + FHIR_GROUP + '"'
CORRECTIONS = ("void", "amend")


def group_line(resources_json: list[str], policy: str | None) -> str:
    """The line of one patient's resources (each already JSON text, joined without parsing)."""
    head = "" if policy is None else f',"policy":{json.dumps(policy)}'
    return f"{GROUP_PREFIX}:[{','.join(resources_json)}]{head}}}"


def courses_of_group(
    knowledge: Knowledge, resources: list[dict[str, Any]], policy: str | None
) -> list[Timeline | str]:
    """Each course the resources hold (one per Patient), or why none could be read."""
    found: list[Timeline | str] = []
    for key, owned in group_by_patient(resources, ConversionReport()).items():
        result = fhir_to_timeline(knowledge, owned, policy=policy)
        if result.timeline is None:
            problems = "; ".join(w.message for w in result.report.warnings[:3])
            found.append(f"{key}: no course could be read ({problems or 'no events'})")
            continue
        found.append(in_date_order(result.timeline))
    if not found:
        found.append("resources that name no Patient in this export")
    return found


def read_group(knowledge: Knowledge, line: str) -> list[Timeline | str]:
    data = json.loads(line)
    resources = data.get(FHIR_GROUP)
    if not isinstance(resources, list):
        return [f"{FHIR_GROUP}: expected a list of FHIR resources"]
    policy = data.get("policy")
    return courses_of_group(knowledge, resources, policy if isinstance(policy, str) else None)


def in_date_order(timeline: Timeline) -> Timeline:
    events = sorted(timeline.events, key=lambda e: (e.date, e.type in CORRECTIONS))
    return timeline.model_copy(update={"events": events})
