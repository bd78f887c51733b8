"""isotrack's FHIR REST endpoint as an EHR and a pharmacy system meet it: the
CapabilityStatement, a course as ``Patient/$everything`` for callers who may see it, and the
REMS IG's ``$rems-etasu`` answered from the programme engine and the clinical holds."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi.testclient import TestClient
from fhir_rest_cases import ISOTRETINOIN, WARFARIN, etasu_answers, etasu_request
from node_validator import medplum_issues
from service_clinic import TODAY, Clinic

from isotrack.domain.timeline import load_timeline
from isotrack.engines.holds import clinical_safety
from isotrack.engines.programme import evaluate_programme
from isotrack.engines.programme.report import RequirementStatus
from isotrack.interop.fhir.validation import validate_r4
from isotrack.knowledge import load_knowledge
from isotrack.store.courses import import_timeline, read_course

ETASU = "/fhir/r4/GuidanceResponse/$rems-etasu"


def fhir(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/fhir+json")
    body: dict[str, Any] = response.json()
    return body


def both_validators_accept(*resources: dict[str, Any]) -> None:
    assert {r["resourceType"]: validate_r4(r) for r in resources} == {
        r["resourceType"]: [] for r in resources
    }
    assert [r["issues"] for r in medplum_issues(list(resources))] == [[] for _ in resources]


def test_the_capability_statement_lists_the_operations_and_the_bearer_security(
    client: TestClient,
) -> None:
    statement = fhir(client.get("/fhir/r4/metadata"))
    operations = {
        (r["type"], o["name"]) for r in statement["rest"][0]["resource"] for o in r["operation"]
    }
    assert operations == {("Patient", "everything"), ("GuidanceResponse", "rems-etasu")}
    assert "Bearer" in statement["rest"][0]["security"]["description"]
    assert statement["fhirVersion"] == "4.0.1"
    both_validators_accept(statement)


def test_everything_gives_the_prescriber_her_patients_course_as_a_valid_bundle(
    client: TestClient, clinic: Clinic
) -> None:
    bundle = fhir(client.get("/fhir/r4/Patient/demo-02/$everything", headers=clinic.auth("dr.lee")))
    assert bundle["type"] == "searchset"
    patient = bundle["entry"][0]["resource"]
    assert (patient["resourceType"], patient["id"]) == ("Patient", "demo-02")
    types = {e["resource"]["resourceType"] for e in bundle["entry"]}
    assert {"MedicationRequest", "Observation"} <= types
    both_validators_accept(bundle, *(e["resource"] for e in bundle["entry"]))


def test_another_clinics_patient_reads_exactly_like_one_that_does_not_exist(
    client: TestClient, clinic: Clinic
) -> None:
    """Access rule: a course out of the caller's reach is "not found", never "forbidden"."""
    other = client.get("/fhir/r4/Patient/demo-02/$everything", headers=clinic.auth("dr.patel"))
    missing = client.get("/fhir/r4/Patient/nobody/$everything", headers=clinic.auth("dr.patel"))
    assert fhir(other, 404) == fhir(missing, 404)
    assert fhir(other, 404)["resourceType"] == "OperationOutcome"
    assert "demo-02" not in other.text


def test_without_a_token_the_answer_is_401_as_an_operation_outcome(client: TestClient) -> None:
    response = client.get("/fhir/r4/Patient/demo-02/$everything")
    assert fhir(response, 401)["issue"][0]["code"] == "login"
    assert response.headers["www-authenticate"] == "Bearer"
    assert fhir(client.post(ETASU, json=etasu_request({"id": "demo-02"})), 401)


def test_etasu_lists_each_programme_requirement_with_the_engines_status(
    client: TestClient, clinic: Clinic
) -> None:
    """Maya (demo-02) can get pregnant; her requirements are judged by evaluate_programme."""
    answer = fhir(client.post(ETASU, json=etasu_request({"id": "demo-02"}),
                              headers=clinic.auth("pharmacist")))  # fmt: skip
    overall, by_requirement = etasu_answers(answer)
    with clinic.database.reading() as connection:
        timeline = read_course(connection, clinic.courses["demo-02"].id).timeline()
    report = evaluate_programme(load_knowledge(), timeline, TODAY)
    expected = {
        r.id: {"met": "success", "unmet": "data-required", "due": "data-required"}[r.status]
        for r in report.requirements
        if r.status is not RequirementStatus.NOT_APPLICABLE
    }
    assert by_requirement == expected
    gating_missing = any(
        r.gates_dispense and expected.get(r.id) == "data-required" for r in report.requirements
    )
    assert overall == ("data-required" if gating_missing else "success")
    assert overall == ("success" if report.dispense_decision.programme_met else "data-required")
    guidance = answer["parameter"][0]["resource"]
    assert guidance["contained"][0]["parameter"][-1] == {
        "name": "case_number", "valueString": clinic.courses["demo-02"].id,
    }  # fmt: skip
    both_validators_accept(answer, guidance)


def test_etasu_by_case_number_alone_in_either_spelling(client: TestClient, clinic: Clinic) -> None:
    course_id = clinic.courses["demo-01"].id
    for name in ("case_number", "caseNumber"):
        request = etasu_request(None, None, **{name: course_id})
        overall, found = etasu_answers(
            fhir(client.post(ETASU, json=request, headers=clinic.auth("dr.lee")))
        )
        assert found and overall in ("success", "data-required", "failure")


def test_etasu_for_a_patient_out_of_reach_is_the_igs_not_found_failure(
    client: TestClient, clinic: Clinic
) -> None:
    out_of_reach = fhir(client.post(ETASU, json=etasu_request({"id": "demo-02"}),
                                    headers=clinic.auth("dr.patel")))  # fmt: skip
    unknown = fhir(client.post(ETASU, json=etasu_request({"id": "nobody"}),
                               headers=clinic.auth("dr.patel")))  # fmt: skip
    assert out_of_reach == unknown
    assert etasu_answers(unknown) == ("failure", {})


def test_broken_etasu_requests_get_400_with_an_operation_outcome_never_5xx(
    client: TestClient, clinic: Clinic
) -> None:
    broken: list[Any] = [
        b"{not json", b'{"resourceType": "Parameters", "parameter": [1, 2,]}', b"[]",
        b'{"resourceType": "Patient"}', b'{"resourceType": "Parameters", "parameter": {}}',
        b'{"resourceType": "Parameters", "parameter": [{"name": "patient", "resource": 5}]}',
        b'{"resourceType": "Parameters", "parameter": [{"name": "case_number"}]}',
        b'{"a": NaN}', b"[" * 500, b"\xff\xfe",
    ]  # fmt: skip
    import json

    broken += [json.dumps(etasu_request({"id": "demo-02"}, WARFARIN)).encode(),
               json.dumps(etasu_request(None, ISOTRETINOIN)).encode(),
               json.dumps(etasu_request({"id": "demo-02"}, None)).encode()]  # fmt: skip
    for body in broken:
        response = client.post(ETASU, content=body, headers=clinic.auth("dr.lee"))
        outcome = fhir(response, 400)
        assert outcome["resourceType"] == "OperationOutcome", body
        assert outcome["issue"][0]["diagnostics"]


def test_a_patient_may_not_ask_the_rems_question(client: TestClient, clinic: Clinic) -> None:
    response = client.post(
        ETASU, json=etasu_request({"id": "demo-02"}), headers=clinic.auth("maya")
    )
    assert fhir(response, 403)["issue"][0]["code"] == "forbidden"


def test_an_open_clinical_hold_is_a_failing_etasu_requirement(
    client: TestClient, clinic: Clinic
) -> None:
    """Maya answers PHQ-9 item 9 (thoughts of self-harm) yesterday: the item-9 alert holds her
    course until a prescriber reviews it, so the REMS answer is ``failure``, not only
    ``data-required`` (hold rules: knowledge/data safety; engines.holds.clinical_safety)."""
    with clinic.database.reading() as connection:
        document = read_course(connection, clinic.courses["demo-02"].id).timeline().to_json_dict()
    document["patient"]["id"] = "held-1"
    document["events"].append({"id": "phq-held", "type": "mood_screen",
                               "date": (TODAY - dt.timedelta(days=1)).isoformat(),
                               "item_scores": [1, 1, 1, 0, 0, 0, 0, 0, 2]})  # fmt: skip
    timeline = load_timeline(document)
    with clinic.database.writing() as connection:
        import_timeline(connection, timeline, recorded_by="dr.lee",
                        prescriber_user_id=clinic.users["dr.lee"].id)  # fmt: skip
    holds = clinical_safety(load_knowledge(), timeline, TODAY).clinical_holds
    assert holds, "the item-9 answer must hold the course"
    answer = fhir(client.post(ETASU, json=etasu_request({"id": "held-1"}),
                              headers=clinic.auth("pharmacist")))  # fmt: skip
    overall, found = etasu_answers(answer)
    assert overall == "failure"
    assert {found[h.alert_id] for h in holds} == {"failure"}
