"""Spark groups a FHIR Bulk export by patient on its executors, as DuckDB does in the reader:
the same lines reach the engines, so the same findings come out (issue 14)."""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

import pytest
from audit_cases import KEY, require_java

from isotrack.audit.fhir_courses import NAMES_NO_PATIENT
from isotrack.audit.fhir_source import FhirBulkTimelines
from isotrack.audit.run import AuditOptions, AuditOutcome, run_audit
from isotrack.audit.synth import AUDIT_DATE
from isotrack.audit.synth_files import write_population

PATIENTS = 8


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Eight synthetic courses as a Bulk export, plus two Provenance records with no patient
    of their own: one about a lab Observation (it belongs to that Observation's patient) and
    one about a resource the export does not hold (it belongs to nobody)."""
    out = tmp_path_factory.mktemp("spark-fhir")
    write_population(PATIENTS, 5, "fhir-ndjson", out)
    folder = out / "fhir"
    observation = json.loads((folder / "Observation.ndjson").read_text().splitlines()[0])
    provenance = [
        {
            "resourceType": "Provenance",
            "id": "prov-lab",
            "target": [{"reference": f"Observation/{observation['id']}"}],
            "recorded": "2025-06-01T10:00:00Z",
        },
        {
            "resourceType": "Provenance",
            "id": "prov-lost",
            "target": [{"reference": "Observation/not-in-this-export"}],
            "recorded": "2025-06-01T10:00:00Z",
        },
    ]
    (folder / "Provenance.ndjson").write_text("".join(json.dumps(p) + "\n" for p in provenance))
    return folder


def _canonical(lines: list[str]) -> list[str]:
    return sorted(json.dumps(json.loads(line), sort_keys=True) for line in lines)


def _gzipped(export: Path, folder: Path, parts: bool) -> Path:
    """The export as a Bulk client may keep it: each file gzip-compressed, two members to a
    file (as ``isotrack synth --gzip`` appends one per chunk of courses), or, with ``parts``,
    two numbered files per type (``Observation.002.ndjson.gz``), as a large export is split."""
    folder.mkdir()
    for path in export.iterdir():
        lines = path.read_bytes().splitlines(keepends=True)
        half = len(lines) // 2
        members = [gzip.compress(b"".join(part)) for part in (lines[:half], lines[half:])]
        if parts:
            for number, member in enumerate(members, start=1):
                stem = path.name.removesuffix(".ndjson")
                (folder / f"{stem}.{number:03d}.ndjson.gz").write_bytes(member)
        else:
            (folder / f"{path.name}.gz").write_bytes(b"".join(members))
    return folder


@pytest.mark.parametrize("layout", ["ndjson", "ndjson.gz", "parts"])
def test_spark_groups_each_patients_resources_as_the_duckdb_reader_does(
    export: Path, tmp_path: Path, layout: str
) -> None:
    require_java()
    from isotrack.audit.spark_runner import end_spark, spark_session

    duckdb_lines = [line for batch in FhirBulkTimelines(export).batches(100) for line in batch]
    if layout == "ndjson":
        source = FhirBulkTimelines(export)
    else:
        source = FhirBulkTimelines(_gzipped(export, tmp_path / "gz", parts=layout == "parts"))
    spark = spark_session("local[2]")
    try:
        spark_lines = [row.timeline for row in source.spark_frame(spark).collect()]
    finally:
        end_spark(spark)
    # One line per patient, each holding its resources in type, id and text order,
    # and one counting the Provenance that names nobody.
    assert len(duckdb_lines) == PATIENTS + 1
    assert json.loads(duckdb_lines[-1]) == {"fhir_unowned": "Provenance", "count": 1}
    assert spark_lines and _canonical(spark_lines) == _canonical(duckdb_lines)


def _audit(engine: str, export: Path) -> AuditOutcome:
    return run_audit(
        FhirBulkTimelines(export),
        AuditOptions(
            audit_date=AUDIT_DATE, pseudonym_key=KEY, keep_findings=True, engine=engine,
            master="local[2]",
        ),
    )  # fmt: skip


def test_spark_audits_a_bulk_export_with_the_embedded_findings(export: Path) -> None:
    require_java()
    embedded = _audit("duckdb", export)
    spark = _audit("spark", export)
    assert embedded.findings  # the population holds violations to agree on
    assert [f.as_row() for f in spark.findings] == [f.as_row() for f in embedded.findings]
    assert (spark.summary.courses, spark.summary.unreadable) == (PATIENTS, 0)
    assert spark.summary.not_read_reasons == {NAMES_NO_PATIENT: 1}  # the lost Provenance
    assert spark.summary.sql_disagreements == embedded.summary.sql_disagreements


def _by_reference(export: Path, folder: Path) -> Path:
    """The same export as an EHR may write it: every order and dispense names its medicine by
    a reference to one shared Medication resource, kept in its own file."""
    folder.mkdir()
    medications: dict[str, dict[str, object]] = {}
    for path in export.iterdir():
        lines = []
        for line in path.read_text().splitlines():
            resource = json.loads(line)
            concept = resource.pop("medicationCodeableConcept", None)
            if concept is not None and resource["resourceType"] != "MedicationStatement":
                key = f"med-{len(medications) + 1}"
                key = next((k for k, m in medications.items() if m["code"] == concept), key)
                medications[key] = {"resourceType": "Medication", "id": key, "code": concept}
                resource["medicationReference"] = {"reference": f"Medication/{key}"}
            elif concept is not None:
                resource["medicationCodeableConcept"] = concept
            lines.append(json.dumps(resource) + "\n")
        (folder / path.name).write_text("".join(lines))
    assert medications  # the export has orders to rewrite
    (folder / "Medication.ndjson").write_text(
        "".join(json.dumps(m) + "\n" for m in medications.values())
    )
    return folder


@pytest.mark.parametrize("engine", ["duckdb", "spark"])
def test_orders_naming_a_shared_medication_are_audited_as_orders_coding_it_inline(
    export: Path, tmp_path: Path, engine: str
) -> None:
    """A Medication names no patient: each patient whose orders name it receives it, so the
    dispenses are read and judged exactly as when the medicine is coded in the order."""
    if engine == "spark":
        require_java()
    inline = _audit("duckdb", export)
    shared = _audit(engine, _by_reference(export, tmp_path / "by-reference"))
    assert inline.summary.dispenses > 0
    assert shared.summary.dispenses == inline.summary.dispenses
    assert [f.as_row() for f in shared.findings] == [f.as_row() for f in inline.findings]
    assert (shared.summary.courses, shared.summary.unreadable) == (PATIENTS, 0)
    assert shared.summary.not_read == inline.summary.not_read == 1  # the lost Provenance


def _with(export: Path, folder: Path, extra: dict[str, list[dict[str, object]]]) -> Path:
    """``export`` copied to ``folder`` with the ``extra`` resources written per type."""
    folder.mkdir()
    for path in export.iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    for resource_type, resources in extra.items():
        (folder / f"{resource_type}.ndjson").write_text(
            "".join(json.dumps(r) + "\n" for r in resources)
        )
    return folder


@pytest.mark.parametrize("engine", ["duckdb", "spark"])
def test_resources_that_name_no_patient_are_counted_by_type_not_as_an_unreadable_course(
    export: Path, tmp_path: Path, engine: str
) -> None:
    """A Group export also carries the clinic's practitioners and organisations. They belong to
    no course: the audit says how many of each it did not read, rather than reporting one
    "course" that could not be read, and never gathers them into one line."""
    if engine == "spark":
        require_java()
    with_staff = _with(export, tmp_path / "staff", {
        "Practitioner": [{"resourceType": "Practitioner", "id": f"dr-{n}"} for n in range(3)],
        "Organization": [{"resourceType": "Organization", "id": "clinic"}],
    })  # fmt: skip
    plain = _audit("duckdb", export)
    audited = _audit(engine, with_staff)
    assert [f.as_row() for f in audited.findings] == [f.as_row() for f in plain.findings]
    assert (audited.summary.courses, audited.summary.unreadable) == (PATIENTS, 0)
    not_read = sorted((i.resource, i.resources, i.reason) for i in audited.not_read)
    assert not_read == [
        ("Organization", 1, NAMES_NO_PATIENT),
        ("Practitioner", 3, NAMES_NO_PATIENT),
        ("Provenance", 1, NAMES_NO_PATIENT),
    ]
    assert audited.summary.as_json()["not_read"]["resources"] == 5


@pytest.mark.parametrize("engine", ["duckdb", "spark"])
def test_an_order_whose_medication_was_not_sent_is_listed_as_not_read_for_its_course(
    export: Path, tmp_path: Path, engine: str
) -> None:
    """The orders and dispenses name their medicine only as Medication/med-1, and the export
    left the Medication file out: whether they are isotretinoin is unknown, so they are not
    judged, and the audit lists each one, with its course, as not read (it used to drop them
    without a word, and the courses read as if nothing had been dispensed)."""
    if engine == "spark":
        require_java()
    by_reference = _by_reference(export, tmp_path / "by-reference")
    (by_reference / "Medication.ndjson").unlink()
    out = tmp_path / "out"
    audited = run_audit(
        FhirBulkTimelines(by_reference),
        AuditOptions(
            audit_date=AUDIT_DATE, pseudonym_key=KEY, keep_findings=True, engine=engine,
            master="local[2]", out_dir=out,
        ),
    )  # fmt: skip
    orders = [
        r
        for name in ("MedicationRequest.ndjson", "MedicationDispense.ndjson")
        for r in map(json.loads, (by_reference / name).read_text().splitlines())
    ]
    in_course = [i for i in audited.not_read if i.course_id]
    assert sorted(i.resource for i in in_course) == sorted(
        f"{r['resourceType']}/{r['id']}" for r in orders
    )
    assert all("whether it is isotretinoin is unknown" in i.reason for i in in_course)
    assert all(i.patient_id.startswith("ps-") for i in in_course)  # pseudonymised
    assert audited.summary.dispenses == 0
    assert audited.summary.courses_not_fully_read == PATIENTS
    with (out / "not_read.csv").open(newline="") as written:
        rows = list(csv.DictReader(written))
    assert len(rows) == len(in_course) + 1  # and the lost Provenance
    report = (out / "report.html").read_text()
    assert "Resources not read" in report and "whether it is isotretinoin is unknown" in report
