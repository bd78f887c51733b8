"""Reading what real systems send: the HL7 R4 examples (CC0) and the malformed payloads seen
in published CDS Hooks examples. One bad resource is a warning; never an exception."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fhir_cases import check_days, every_event_course
from node_validator import EXAMPLES, ensure_node_packages

from isotrack.engines.assessment import assess
from isotrack.interop.fhir.bulk import group_by_patient, read_bulk, write_bulk
from isotrack.interop.fhir.convert import fhir_to_timeline, timeline_to_fhir
from isotrack.interop.fhir.report import ConversionReport
from isotrack.knowledge import Knowledge, load_knowledge

PATIENT = {"resourceType": "Patient", "id": "p1", "birthDate": "1999-04-02"}
ISOTRETINOIN_STU3_ORDER = {
    "resourceType": "MedicationRequest", "id": "rx-a", "status": "active", "intent": "order",
    "subject": {"reference": "Patient/p1"}, "authoredOn": "2026-03-01",
    "medicationCodeableConcept": {"coding": [
        {"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "6064"}]},
    "dosageInstruction": [{"doseQuantity": {"value": 40, "unit": "mg",
                                            "system": "http://unitsofmeasure.org", "code": "mg"}}],
    "dispenseRequest": {"expectedSupplyDuration": {"value": 30, "unit": "days",
                                                   "system": "http://unitsofmeasure.org",
                                                   "code": "d"}},
}  # fmt: skip


@pytest.fixture(scope="module")
def knowledge() -> Knowledge:
    return load_knowledge()


def examples(prefixes: tuple[str, ...]) -> list[Path]:
    ensure_node_packages()
    return sorted(p for p in EXAMPLES.glob("*.json") if p.name.startswith(prefixes))


def test_the_hl7_r4_examples_are_read_without_a_crash_and_none_is_isotretinoin(
    knowledge: Knowledge,
) -> None:
    files = examples(("Patient-", "Observation-", "MedicationRequest-", "MedicationDispense-"))
    assert len(files) > 100
    report = ConversionReport()
    groups = group_by_patient([json.loads(p.read_text(encoding="utf-8")) for p in files], report)
    assert len(groups) > 10
    read_events = []
    for resources in groups.values():
        result = fhir_to_timeline(knowledge, resources, policy="us-ipledge-2026")
        for finding in result.report.ignored:
            if finding.where.startswith(("MedicationRequest/", "MedicationDispense/")):
                assert finding.message in ("not isotretinoin", "marked entered in error")
        if result.timeline is not None:
            read_events += [e.type for e in result.timeline.events]
    assert "prescription" not in read_events and "dispense" not in read_events
    assert "weight" in read_events  # Observation-example: body weight, LOINC 29463-7


def test_the_lipid_panel_example_is_read_once_the_patient_has_a_birth_date(
    knowledge: Knowledge,
) -> None:
    (bundle_file,) = examples(("Bundle-lipids.json",))
    (patient_file,) = examples(("Patient-pat2.json",))
    panel = json.loads(bundle_file.read_text(encoding="utf-8"))
    patient = json.loads(patient_file.read_text(encoding="utf-8"))
    without_age = fhir_to_timeline(knowledge, [patient, panel], policy="us-ipledge-2026")
    assert without_age.timeline is None  # age rules cannot run without a birth date
    assert "no birth date" in " ".join(without_age.report.lines())
    patient["birthDate"] = "1990-01-01"  # the clinic completes the record
    entries = [patient, *(e["resource"] for e in panel["entry"])]
    result = fhir_to_timeline(knowledge, entries, policy="us-ipledge-2026")
    assert result.timeline is not None
    tests = {e.test for e in result.timeline.events if e.type == "lab_result"}  # type: ignore[attr-defined]
    assert {"35217-9", "2085-9", "13457-7"} <= tests  # triglycerides (mmol/L), HDL, LDL
    assert "dated by its DiagnosticReport" in " ".join(result.report.lines())
    assert "DiagnosticReport/lipids" in {f.where for f in result.report.ignored}


def test_a_bundle_without_type_with_an_stu3_dose_and_placeholders_gives_warnings(
    knowledge: Knowledge,
) -> None:
    bundle = {"resourceType": "Bundle", "entry": [
        {"resource": PATIENT}, {"resource": "..."}, {"fullUrl": "<snipped>"},
        {"resource": ISOTRETINOIN_STU3_ORDER},
        {"resource": {"resourceType": "Observation", "id": "o1", "status": "final",
                      "code": {"coding": [{"system": "http://loinc.org", "code": "2106-3"}]},
                      "subject": {"reference": "Patient/p1"}, "effectiveDateTime": "...",
                      "valueCodeableConcept": "..."}},
    ]}  # fmt: skip
    result = fhir_to_timeline(knowledge, bundle, policy="us-ipledge-2026")
    assert result.timeline is not None
    messages = " | ".join(result.report.lines())
    assert "Bundle.type is missing" in messages
    assert "placeholder" in messages
    (rx,) = [e for e in result.timeline.events if e.type == "prescription"]
    assert rx.daily_dose_mg == 40 and rx.product == "isotretinoin-us"  # type: ignore[attr-defined]
    assert "coded by ingredient only" in messages
    assert "can become pregnant is not recorded" in messages  # unknown is not "cannot"
    assert result.timeline.patient.can_get_pregnant is True


def test_a_pregnancy_test_without_setting_or_sensitivity_says_so(knowledge: Knowledge) -> None:
    hcg = {"resourceType": "Observation", "id": "hcg1", "status": "final",
           "code": {"coding": [{"system": "http://loinc.org", "code": "2118-8"}]},
           "subject": {"reference": "Patient/p1"}, "effectiveDateTime": "2026-03-01T10:00:00Z",
           "valueCodeableConcept": {"coding": [{"system": "http://snomed.info/sct",
                                                "code": "260385009"}]}}  # fmt: skip
    result = fhir_to_timeline(knowledge, [PATIENT, hcg], policy="us-ipledge-2026")
    assert result.timeline is not None
    (test,) = result.timeline.events
    assert (test.kind, test.setting, test.sensitivity_miu_per_ml) == ("serum", "home", None)  # type: ignore[attr-defined]
    messages = " | ".join(result.report.lines())
    assert "does not say where it was done" in messages
    assert "does not state its assay sensitivity" in messages


@pytest.mark.parametrize("document", ["not json", "[1, 2]", '{"resourceType": "Bundle"}', "{}"])
def test_garbage_never_raises(knowledge: Knowledge, document: str) -> None:
    result = fhir_to_timeline(knowledge, document)
    assert result.timeline is None
    assert result.report.warnings


def test_no_policy_means_no_course_rather_than_a_guess(knowledge: Knowledge) -> None:
    result = fhir_to_timeline(knowledge, [PATIENT])
    assert result.timeline is None
    assert "no programme policy" in " ".join(result.report.lines())


def test_a_bulk_export_reads_back_into_the_same_course_per_patient(
    knowledge: Knowledge, tmp_path: Path
) -> None:
    course = every_event_course()
    files = write_bulk(tmp_path, [timeline_to_fhir(knowledge, course).bundle])
    assert "Patient.ndjson" in {p.name for p in files}
    report = ConversionReport()
    groups = read_bulk(tmp_path, report)
    (resources,) = groups.values()  # one patient, one group
    back = fhir_to_timeline(knowledge, resources)
    assert back.timeline is not None
    # files are per resource type, so recording order changes; the ids and the verdict do not
    assert sorted(e.id for e in back.timeline.events) == sorted(e.id for e in course.events)
    day = check_days(course)[-1]
    assert assess(knowledge, back.timeline, day) == assess(knowledge, course, day)


def test_isotretinoin_is_recognised_on_any_coding_and_in_a_contained_medication(
    knowledge: Knowledge,
) -> None:
    """An SBD coded first as NDC, named only in a display, inside a contained Medication."""
    order = {
        **ISOTRETINOIN_STU3_ORDER,
        "id": "rx-b",
        "contained": [{"resourceType": "Medication", "id": "med", "code": {"coding": [
            {"system": "http://hl7.org/fhir/sid/ndc", "code": "0000-0000"},
            {"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "999999",
             "display": "Claravis 40 MG Oral Capsule"}]}}],
        "medicationReference": {"reference": "#med"},
    }  # fmt: skip
    del order["medicationCodeableConcept"]
    statement = {"resourceType": "MedicationStatement", "id": "ms1", "status": "active",
                 "subject": {"reference": "Patient/p1"}, "effectiveDateTime": "2026-03-02",
                 "medicationCodeableConcept": {"text": "Isotretinoin 40 mg capsules"}}  # fmt: skip
    result = fhir_to_timeline(knowledge, [PATIENT, order, statement], policy="us-ipledge-2026")
    assert result.timeline is not None
    (rx,) = result.timeline.events
    assert rx.product == "claravis"  # type: ignore[attr-defined]
    (ignored,) = result.report.ignored
    assert ignored.where == "MedicationStatement/ms1"
    assert "not guessed" in ignored.message  # an EHR statement never starts a course by itself


def _order_naming(medication: str, order_id: str = "rx-c") -> dict[str, object]:
    """An EHR's order that names its medicine only by a reference to a Medication resource."""
    order: dict[str, object] = {
        **ISOTRETINOIN_STU3_ORDER, "id": order_id,
        "medicationReference": {"reference": f"Medication/{medication}"},
    }  # fmt: skip
    del order["medicationCodeableConcept"]
    return order


CLARAVIS_MEDICATION = {
    "resourceType": "Medication", "id": "claravis-40",
    "code": {"coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm",
                         "code": "999999", "display": "Claravis 40 MG Oral Capsule"}]},
}  # fmt: skip


def test_an_order_naming_a_medication_resource_sent_beside_it_is_read_as_that_medicine(
    knowledge: Knowledge,
) -> None:
    """Bulk exports and many EHR bundles name the medicine by reference to a Medication
    resource of its own (with its own id) rather than in the order: isotrack follows it."""
    order = _order_naming("claravis-40", order_id="claravis-40")  # the same id as the Medication
    bundle = [PATIENT, CLARAVIS_MEDICATION, order]
    result = fhir_to_timeline(knowledge, bundle, policy="us-ipledge-2026")
    assert result.timeline is not None
    (rx,) = result.timeline.events
    assert rx.product == "claravis"  # type: ignore[attr-defined]
    assert rx.id == "claravis-40"  # the Medication took no event id from the order
    assert not result.report.ignored
    assert not [w for w in result.report.warnings if w.where.startswith("Medication")]


def test_an_order_naming_a_medication_that_was_not_sent_is_unknown_not_other_medicine(
    knowledge: Knowledge,
) -> None:
    """Missing data is "unknown", never "fine": an order whose medicine cannot be seen is not
    read as "not isotretinoin", and the report says what could not be told."""
    result = fhir_to_timeline(
        knowledge, [PATIENT, _order_naming("absent")], policy="us-ipledge-2026"
    )
    assert result.timeline is not None and result.timeline.events == []
    assert not result.report.ignored
    (warning,) = [w for w in result.report.warnings if w.where.startswith("Medication")]
    assert warning.where == "MedicationRequest/rx-c"
    assert "Medication/absent" in warning.message and "unknown" in warning.message


def test_a_bulk_export_gives_each_patient_the_medications_their_orders_name(
    knowledge: Knowledge,
) -> None:
    """A Medication names no patient: it goes to every group whose orders name it, and a
    Medication shared by two patients' orders is read for both."""
    second = {**PATIENT, "id": "p2"}
    order_two = {**_order_naming("claravis-40", "rx-d"), "subject": {"reference": "Patient/p2"}}
    report = ConversionReport()
    groups = group_by_patient(
        [PATIENT, second, CLARAVIS_MEDICATION, _order_naming("claravis-40"), order_two], report
    )
    assert not report.ignored
    for key in ("Patient/p1", "Patient/p2"):
        result = fhir_to_timeline(knowledge, groups[key], policy="us-ipledge-2026")
        assert result.timeline is not None
        assert [e.product for e in result.timeline.events] == ["claravis"]  # type: ignore[attr-defined]
