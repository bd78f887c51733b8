"""Lab grades at, just below and just above every band boundary, in both unit systems.

Bands: triglycerides >= 150 / >= 500 / >= 1000 mg/dL (NCEP ATP III, Endocrine Society 2012);
cholesterol > 300 / > 400 mg/dL and liver tests by multiples of the upper limit (CTCAE v5).
Conversions: triglyceride 88.54 mg/dL per mmol/L (triolein 885.4 g/mol), cholesterol 38.67 mg/dL
per mmol/L (386.7 g/mol), bilirubin 17.10 umol/L per mg/dL (584.7 g/mol).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from monitoring_cases import course

from isotrack.engines.monitoring import Alert, evaluate_monitoring
from isotrack.knowledge import Knowledge

TG_PER_MMOL = 88.54  # mg/dL per mmol/L, for writing the exact boundary in mmol/L
CHOL_PER_MMOL = 38.67


def graded(knowledge: Knowledge, test: str, value: float, unit: str, **extra: Any) -> list[Alert]:
    """Lab alerts for one result taken before treatment (so only grading applies)."""
    timeline = course(
        {
            "id": "lab-1",
            "type": "lab_result",
            "date": "2026-01-02",
            "test": test,
            "value": value,
            "unit": unit,
            **extra,
        }
    )
    report = evaluate_monitoring(knowledge, timeline, dt.date(2026, 1, 3))
    return [a for a in report.alerts if a.topic == "labs"]


def grade_of(alerts: list[Alert]) -> tuple[str, str] | None:
    assert len(alerts) <= 1, [a.code for a in alerts]
    return (alerts[0].code, alerts[0].severity.value) if alerts else None


TG_CASES = [
    (149, "mg/dL", None),
    (150, "mg/dL", ("TG_ABOVE_NORMAL", "info")),
    (499, "mg/dL", ("TG_ABOVE_NORMAL", "info")),
    (500, "mg/dL", ("TG_VERY_HIGH", "warning")),
    (501, "mg/dL", ("TG_VERY_HIGH", "warning")),
    (999, "mg/dL", ("TG_VERY_HIGH", "warning")),
    (1000, "mg/dL", ("TG_PANCREATITIS_RISK", "critical")),
    (1001, "mg/dL", ("TG_PANCREATITIS_RISK", "critical")),
    (5.64, "mmol/L", ("TG_ABOVE_NORMAL", "info")),  # 499.4 mg/dL
    (500 / TG_PER_MMOL, "mmol/L", ("TG_VERY_HIGH", "warning")),  # exactly 500 mg/dL
    (5.65, "mmol/L", ("TG_VERY_HIGH", "warning")),  # 500.3 mg/dL
    (11.29, "mmol/L", ("TG_VERY_HIGH", "warning")),  # 999.6 mg/dL
    (1000 / TG_PER_MMOL, "mmol/L", ("TG_PANCREATITIS_RISK", "critical")),  # exactly 1000
    (11.3, "mmol/L", ("TG_PANCREATITIS_RISK", "critical")),  # 1000.5 mg/dL
]


@pytest.mark.parametrize(("value", "unit", "expected"), TG_CASES)
def test_triglyceride_bands_ncep_and_endocrine_society(
    knowledge: Knowledge, value: float, unit: str, expected: tuple[str, str] | None
) -> None:
    assert grade_of(graded(knowledge, "triglycerides", value, unit)) == expected


def test_the_pancreatitis_band_says_hold_and_cites_the_endocrine_society(
    knowledge: Knowledge,
) -> None:
    [alert] = graded(knowledge, "tg", 1200, "mg/dL")
    assert "Hold isotretinoin" in alert.action
    assert "mon-endo-tg-2012" in alert.source_ids
    assert alert.event_ids == ["lab-1"]


ALT_CASES = [
    (40, "U/L", 40, None),
    (41, "U/L", 40, ("ALT_RAISED", "info")),
    (119, "U/L", 40, ("ALT_RAISED", "info")),
    (120, "U/L", 40, ("ALT_RAISED", "info")),  # exactly 3 x ULN: grade 2 starts above it
    (121, "U/L", 40, ("ALT_HIGH", "warning")),
    (200, "U/L", 40, ("ALT_HIGH", "warning")),  # exactly 5 x ULN
    (201, "U/L", 40, ("ALT_VERY_HIGH", "warning")),
    (800, "U/L", 40, ("ALT_VERY_HIGH", "warning")),  # exactly 20 x ULN
    (801, "U/L", 40, ("ALT_LIFE_THREATENING", "critical")),
    (1.79, "ukat/L", 0.6, ("ALT_RAISED", "info")),  # 2.98 x ULN
    (1.8, "ukat/L", 0.6, ("ALT_RAISED", "info")),  # exactly 3 x ULN (108 / 36 U/L)
    (1.81, "ukat/L", 0.6, ("ALT_HIGH", "warning")),  # 3.02 x ULN
]


@pytest.mark.parametrize(("value", "unit", "uln", "expected"), ALT_CASES)
def test_alt_grades_by_multiples_of_its_own_upper_limit_ctcae(
    knowledge: Knowledge, value: float, unit: str, uln: float, expected: tuple[str, str] | None
) -> None:
    alerts = graded(knowledge, "alt", value, unit, reference_low=0, reference_high=uln)
    assert grade_of(alerts) == expected


def test_ast_has_the_same_ctcae_multiples(knowledge: Knowledge) -> None:
    assert grade_of(graded(knowledge, "AST", 121, "U/L", reference_high=40)) == (
        "AST_HIGH",
        "warning",
    )


def test_without_a_range_alt_is_graded_against_the_cited_default_and_says_so(
    knowledge: Knowledge,
) -> None:
    # default upper limit 40 U/L: 121 / 40 = 3.03 x ULN -> grade 2
    [alert] = graded(knowledge, "alt", 121, "U/L")
    assert alert.code == "ALT_HIGH"
    assert "isotrack default" in alert.message
    assert "3.02 x" in alert.message or "3.03 x" in alert.message


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (300, ("ALP_RAISED", "info")),  # exactly 2.5 x 120
        (301, ("ALP_HIGH", "warning")),
        (2400, ("ALP_HIGH", "warning")),  # exactly 20 x
        (2401, ("ALP_LIFE_THREATENING", "critical")),
    ],
)
def test_alp_grades_ctcae(knowledge: Knowledge, value: float, expected: tuple[str, str]) -> None:
    assert grade_of(graded(knowledge, "alp", value, "U/L", reference_high=120)) == expected


@pytest.mark.parametrize(
    ("value", "unit", "extra", "expected"),
    [
        (1.8, "mg/dL", {}, ("BILIRUBIN_RAISED", "info")),  # 1.5 x the default 1.2 mg/dL
        (1.81, "mg/dL", {}, ("BILIRUBIN_HIGH", "warning")),
        (3.6, "mg/dL", {}, ("BILIRUBIN_HIGH", "warning")),  # exactly 3 x
        (3.61, "mg/dL", {}, ("BILIRUBIN_VERY_HIGH", "critical")),
        (30, "umol/L", {"reference_high": 20}, ("BILIRUBIN_RAISED", "info")),  # 1.5 x
        (31, "umol/L", {"reference_high": 20}, ("BILIRUBIN_HIGH", "warning")),
        (60, "umol/L", {"reference_high": 20}, ("BILIRUBIN_HIGH", "warning")),  # 3 x
        (61, "umol/L", {"reference_high": 20}, ("BILIRUBIN_VERY_HIGH", "critical")),
    ],
)
def test_bilirubin_grades_ctcae_in_both_units(
    knowledge: Knowledge,
    value: float,
    unit: str,
    extra: dict[str, float],
    expected: tuple[str, str],
) -> None:
    assert grade_of(graded(knowledge, "bilirubin", value, unit, **extra)) == expected


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (300, "mg/dL", None),
        (301, "mg/dL", ("CHOLESTEROL_HIGH", "info")),
        (400, "mg/dL", ("CHOLESTEROL_HIGH", "info")),
        (401, "mg/dL", ("CHOLESTEROL_VERY_HIGH", "warning")),
        (7.75, "mmol/L", None),  # 299.7 mg/dL
        (300 / CHOL_PER_MMOL, "mmol/L", None),  # exactly 300 mg/dL: the band is "above"
        (7.76, "mmol/L", ("CHOLESTEROL_HIGH", "info")),  # 300.1 mg/dL
    ],
)
def test_total_cholesterol_grades_ctcae(
    knowledge: Knowledge, value: float, unit: str, expected: tuple[str, str] | None
) -> None:
    assert grade_of(graded(knowledge, "cholesterol", value, unit)) == expected


def test_a_result_that_cannot_be_read_is_an_alert_not_a_silent_pass(knowledge: Knowledge) -> None:
    [alert] = graded(knowledge, "alt", 1.0, "mmol/L")
    assert (alert.code, alert.severity.value) == ("LAB_RESULT_UNREADABLE", "warning")
    assert "mmol/L" in alert.message
