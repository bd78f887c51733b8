"""Lab results in any common unit: resolved by LOINC code or name, converted with pint and the
molar-mass facts, and a unit that cannot express the test rejected with the field named."""

from __future__ import annotations

import datetime as dt

import pytest

from isotrack.domain.errors import IsotrackInputError
from isotrack.domain.events import LabResultRecorded
from isotrack.engines.monitoring import check_lab_result
from isotrack.knowledge import Knowledge


def result(test: str, value: float, unit: str, **extra: float) -> LabResultRecorded:
    return LabResultRecorded(
        id="lab-1", date=dt.date(2026, 2, 4), test=test, value=value, unit=unit, **extra
    )


def test_triglyceride_in_mmol_per_litre_is_read_as_mg_per_dl(knowledge: Knowledge) -> None:
    # triolein 885.4 g/mol: 5.65 mmol/L x 885.4 mg/mmol = 5002.5 mg/L = 500.25 mg/dL
    reading = check_lab_result(knowledge, result("35217-9", 5.65, "mmol/L"))
    assert reading.test_id == "triglycerides"
    assert reading.value == pytest.approx(500.251)
    assert reading.unit == "mg/dL"


def test_cholesterol_by_name_in_mmol_per_litre(knowledge: Knowledge) -> None:
    # cholesterol 386.7 g/mol: 5.2 mmol/L x 38.67 = 201.08 mg/dL
    reading = check_lab_result(knowledge, result("Total cholesterol", 5.2, "mmol/L"))
    assert reading.value == pytest.approx(201.084)


def test_bilirubin_in_micromoles_per_litre(knowledge: Knowledge) -> None:
    # bilirubin 584.7 g/mol: 17.1 umol/L x 584.7 = 9998.4 ug/L = 0.99984 mg/dL
    reading = check_lab_result(knowledge, result("14631-6", 17.1, "µmol/L"))
    assert reading.test_id == "bilirubin_total"
    assert reading.value == pytest.approx(0.99984, rel=1e-4)


def test_enzyme_activity_in_microkatal_per_litre(knowledge: Knowledge) -> None:
    # 1 ukat = 1 umol/s = 60 umol/min = 60 U, so 1.2 ukat/L = 72 U/L; its range converts too
    reading = check_lab_result(knowledge, result("ALT", 1.2, "ukat/L", reference_high=0.6))
    assert reading.value == pytest.approx(72)
    assert reading.upper_limit == pytest.approx(36)
    assert reading.upper_limit_from == "result"


def test_iu_per_litre_is_read_as_enzyme_units(knowledge: Knowledge) -> None:
    reading = check_lab_result(knowledge, result("sgpt", 80, "IU/L"))
    assert (reading.test_id, reading.value, reading.unit) == ("alt", 80, "U/L")


def test_without_a_reference_range_the_cited_default_upper_limit_is_used(
    knowledge: Knowledge,
) -> None:
    reading = check_lab_result(knowledge, result("1742-6", 50, "U/L"))
    assert reading.upper_limit == knowledge.number("labs.default_uln.alt")
    assert reading.upper_limit_from == "default"


def test_alt_in_mmol_per_litre_is_rejected_naming_field_value_and_allowed_units(
    knowledge: Knowledge,
) -> None:
    with pytest.raises(IsotrackInputError) as caught:
        check_lab_result(knowledge, result("alt", 1.0, "mmol/L"))
    [problem] = caught.value.problems
    assert (problem.location, problem.field, problem.value) == ("event 'lab-1'", "unit", "mmol/L")
    assert "U/L" in problem.allowed and "ukat/L" in problem.allowed


def test_a_mass_loinc_code_reported_in_moles_is_converted_with_a_coding_warning(
    knowledge: Knowledge,
) -> None:
    # Issue 11 item 2: 2571-8 is triglyceride mass/volume; a result in mmol/L under it still
    # converts, so it is graded (the higher alert wins) and the reading says the coding is off.
    reading = check_lab_result(knowledge, result("2571-8", 5.6, "mmol/L"))
    assert reading.value == pytest.approx(5.6 * 88.54, rel=1e-3)
    assert "2571-8" in reading.coding_warning and "mmol/L" in reading.coding_warning


def test_bilirubin_in_enzyme_units_is_rejected(knowledge: Knowledge) -> None:
    with pytest.raises(IsotrackInputError) as caught:
        check_lab_result(knowledge, result("bilirubin", 1.0, "U/L"))
    assert caught.value.problems[0].field == "unit"


def test_an_unknown_test_is_rejected_listing_the_known_ones(knowledge: Knowledge) -> None:
    with pytest.raises(IsotrackInputError) as caught:
        check_lab_result(knowledge, result("ferritin", 40, "ug/L"))
    [problem] = caught.value.problems
    assert (problem.field, problem.value) == ("test", "ferritin")
    assert "1742-6" in problem.allowed and "triglycerides" in problem.allowed
