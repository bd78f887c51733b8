"""isotrack's own findings in FHIR: monitoring alerts as DetectedIssue (and Flag), the
dispense decision as GuidanceResponse. Both validators accept them, and they point at the
resources of the same events the engines named."""

from __future__ import annotations

from typing import Any

import pytest
from fhir_cases import check_days, every_event_course, read_scenario, scenario_paths
from node_validator import medplum_issues

from isotrack.engines.assessment import assess
from isotrack.interop.fhir.convert import timeline_to_fhir
from isotrack.interop.fhir.decisions import (
    alert_to_detected_issue,
    alert_to_flag,
    decision_to_guidance_response,
)
from isotrack.interop.fhir.elements import reference
from isotrack.interop.fhir.validation import validate_r4
from isotrack.interop.fhir.writer import resource_keys
from isotrack.knowledge import Knowledge, load_knowledge


@pytest.fixture(scope="module")
def knowledge() -> Knowledge:
    return load_knowledge()


def test_an_alt_rise_becomes_a_detected_issue_implicating_the_same_lab_results(
    knowledge: Knowledge,
) -> None:
    course = every_event_course()
    keys = resource_keys(course)
    bundle_keys = {
        f"{e['resource']['resourceType']}/{e['resource']['id']}"
        for e in timeline_to_fhir(knowledge, course).bundle["entry"]
    }
    alerts = assess(knowledge, course, check_days(course)[-1]).monitoring.alerts
    assert alerts
    patient = reference("Patient", "pt-fhir-1")
    for alert in alerts:
        issue = alert_to_detected_issue(alert, patient, keys)
        implicated = {i["reference"] for i in issue.get("implicated", [])}
        assert implicated == {keys[e] for e in alert.event_ids if e in keys}
        assert implicated <= bundle_keys  # every implicated resource is in the exported Bundle
    assert any("alt_1" in a.event_ids for a in alerts)


def emitted(knowledge: Knowledge) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    courses = [read_scenario(p) for p in scenario_paths()] + [every_event_course()]
    for course in courses:
        keys = resource_keys(course)
        patient = reference("Patient", "p")
        for day in check_days(course):
            result = assess(knowledge, course, day)
            out.append(
                decision_to_guidance_response(result.programme.dispense_decision, patient, keys)
            )
            for alert in result.monitoring.alerts:
                out.append(alert_to_detected_issue(alert, patient, keys))
                out.append(alert_to_flag(alert, patient))
    return out


def test_decisions_and_alerts_are_valid_r4_for_both_validators(knowledge: Knowledge) -> None:
    resources = emitted(knowledge)
    statuses = {r["status"] for r in resources if r["resourceType"] == "GuidanceResponse"}
    assert statuses == {"success", "data-required"}  # both outcomes occur in the scenarios
    assert {r["resourceType"] for r in resources} == {"GuidanceResponse", "DetectedIssue", "Flag"}
    assert {r["id"]: validate_r4(r) for r in resources if validate_r4(r)} == {}
    assert [r for r in medplum_issues(resources) if r["issues"]] == []


def test_a_refused_dispense_names_each_rule_it_failed(knowledge: Knowledge) -> None:
    (path,) = [p for p in scenario_paths() if p.stem == "us2023-cgp-positive-test-mid-course"]
    course = read_scenario(path)
    refused = [
        assess(knowledge, course, day).programme.dispense_decision for day in check_days(course)
    ]
    decision = next(d for d in refused if not d.authorized and d.reasons)
    response = decision_to_guidance_response(decision, reference("Patient", "p"), {})
    assert response["status"] == "data-required"
    assert [c["coding"][0]["code"] for c in response["reasonCode"]] == [
        r.rule_id for r in decision.reasons
    ]
