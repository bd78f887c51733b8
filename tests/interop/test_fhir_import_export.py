"""Done-when of issue 13: a course an EHR sends as a FHIR Bundle is stored with ``isotrack
import --format fhir``, evaluated through the API exactly as the original course, and found by
later FHIR calls about that Patient (its logical id or its MRN). ``isotrack export --format
fhir-ndjson`` writes the store as FHIR Bulk Data that reads back into the same courses."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from fhir_cases import SCENARIOS
from fhir_rest_cases import etasu_answers, etasu_request
from service_clinic import Clinic
from typer.testing import CliRunner

from isotrack.cli import app
from isotrack.domain.timeline import load_timeline
from isotrack.engines.assessment import assess
from isotrack.interop.fhir import codes
from isotrack.interop.fhir.bulk import read_bulk
from isotrack.interop.fhir.convert import fhir_to_timeline, timeline_to_fhir
from isotrack.interop.fhir.report import ConversionReport
from isotrack.knowledge import load_knowledge

runner = CliRunner()
MRN = ("http://hospital.example.org/mrn", "MRN-4711")
AS_OF = dt.date(2026, 4, 20)


def ehr_bundle() -> tuple[dict[str, Any], dict[str, Any]]:
    """(the course as the clinic knows it, the Bundle its EHR sends): the EHR's Patient id is
    ``ehr-4711``, it carries the hospital MRN, and it names no programme policy."""
    document = json.loads((SCENARIOS / "uk2023-cgp-full-course.json").read_text("utf-8"))
    document["patient"]["id"] = "ehr-4711"
    bundle = timeline_to_fhir(load_knowledge(), load_timeline(document)).bundle
    patient = bundle["entry"][0]["resource"]
    patient["identifier"] = [{"system": MRN[0], "value": MRN[1]}]
    patient["extension"] = [e for e in patient["extension"] if e["url"] != codes.EXT_POLICY]
    return document, bundle


def import_bundle(tmp_path: Path, database_url: str, bundle: dict[str, Any]) -> str:
    path = tmp_path / "ehr-bundle.json"
    path.write_text(json.dumps(bundle), encoding="utf-8")
    out = runner.invoke(app, [
        "import", "--format", "fhir", str(path), "--prescriber", "dr.lee",
        "--policy", "uk-mhra-2023", "--database-url", database_url,
    ])  # fmt: skip
    assert out.exit_code == 0, out.output
    course_id: str = out.stdout.split("imported course ")[1].split()[0]
    return course_id


def test_a_course_imported_from_a_fhir_bundle_is_evaluated_like_the_original(
    client: TestClient, clinic: Clinic, database_url: str, tmp_path: Path
) -> None:
    document, bundle = ehr_bundle()
    course_id = import_bundle(tmp_path, database_url, bundle)
    response = client.get(f"/api/v1/courses/{course_id}/evaluation?as_of={AS_OF}",
                          headers=clinic.auth("dr.lee"))  # fmt: skip
    assert response.status_code == 200, response.text
    expected = assess(load_knowledge(), load_timeline(document), AS_OF)
    assert response.json() == expected.model_dump(mode="json", by_alias=True)


def test_later_fhir_calls_about_the_patient_find_the_imported_course(
    client: TestClient, clinic: Clinic, database_url: str, tmp_path: Path
) -> None:
    _, bundle = ehr_bundle()
    course_id = import_bundle(tmp_path, database_url, bundle)
    everything = client.get("/fhir/r4/Patient/ehr-4711/$everything", headers=clinic.auth("dr.lee"))
    assert everything.status_code == 200
    by_mrn = etasu_request({"identifier": [{"system": MRN[0], "value": MRN[1]}]})
    answer = client.post("/fhir/r4/GuidanceResponse/$rems-etasu", json=by_mrn,
                         headers=clinic.auth("pharmacist"))  # fmt: skip
    assert answer.status_code == 200
    guidance = answer.json()["parameter"][0]["resource"]
    assert guidance["contained"][0]["parameter"][-1]["valueString"] == course_id
    assert etasu_answers(answer.json())[1]  # the programme's requirements are listed


def test_the_same_identifier_cannot_name_two_patients(
    clinic: Clinic, database_url: str, tmp_path: Path
) -> None:
    """Two records for one person would split the programme history: refused, with the field."""
    _, bundle = ehr_bundle()
    import_bundle(tmp_path, database_url, bundle)
    bundle["entry"][0]["resource"]["id"] = "ehr-other"
    for entry in bundle["entry"][1:]:
        for key in ("subject", "patient"):
            if key in entry["resource"]:
                entry["resource"][key] = {"reference": "Patient/ehr-other"}
    path = tmp_path / "again.json"
    path.write_text(json.dumps(bundle), encoding="utf-8")
    out = runner.invoke(
        app,
        [
            "import",
            "--format",
            "fhir",
            str(path),
            "--prescriber",
            "dr.lee",
            "--policy",
            "uk-mhra-2023",
            "--database-url",
            database_url,
        ],
    )
    assert out.exit_code != 0
    assert MRN[1] in out.output


@pytest.mark.parametrize("selected", [False, True])
def test_bulk_export_writes_ndjson_per_resource_type_that_reads_back(
    clinic: Clinic, database_url: str, tmp_path: Path, selected: bool
) -> None:
    target = tmp_path / "bulk"
    extra = ["--course", clinic.courses["demo-02"].id] if selected else []
    out = runner.invoke(app, ["export", "--format", "fhir-ndjson", str(target),
                              "--database-url", database_url, *extra])  # fmt: skip
    assert out.exit_code == 0, out.output
    assert (target / "Patient.ndjson").exists() and (target / "MedicationRequest.ndjson").exists()
    patients = (target / "Patient.ndjson").read_text("utf-8").splitlines()
    assert len(patients) == (1 if selected else len(clinic.courses))
    groups = read_bulk(target, ConversionReport())
    back = fhir_to_timeline(load_knowledge(), groups["Patient/demo-02"])
    assert back.timeline is not None
    assert back.timeline.patient.id == "demo-02"
