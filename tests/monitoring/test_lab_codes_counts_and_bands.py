"""What European laboratories and blood counts send is read, graded and never breaks a course.

Issue 11 items 2-5: LOINC codes and the unit each fixes (LOINC), 1 ukat/L = 60 U/L (SI
definition of the katal), CTCAE v5 bands for GGT, CPK and low blood counts, and the
pancreatitis band each policy picks (BNF above 9 mmol/L, CTCAE grade 4 from 1000 mg/dL).
Every band is tried at, just below and just above its boundary.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from monitoring_cases import START, course, lab, started

from isotrack.domain.events import LabResultRecorded
from isotrack.engines.monitoring import check_lab_result, evaluate_monitoring
from isotrack.knowledge import Knowledge

TG_PER_MMOL = 88.54  # mg/dL per mmol/L (triolein 885.4 g/mol)


def lab_alerts(
    knowledge: Knowledge, test: str, value: float, unit: str, policy: str = "test-eu", **extra: Any
) -> list[tuple[str, str]]:
    """(code, severity) of the lab alerts of one result taken before treatment."""
    timeline = course(
        {
            "id": "lab-1",
            "type": "lab_result",
            "date": "2026-01-02",
            "test": test,
            "value": value,
            "unit": unit,
            **extra,
        },
        policy=policy,
    )
    report = evaluate_monitoring(knowledge, timeline, dt.date(2026, 1, 3))
    return [(a.code, a.severity.value) for a in report.alerts if a.topic == "labs"]


def result(test: str, value: float, unit: str) -> LabResultRecorded:
    return LabResultRecorded(
        id="lab-1", date=dt.date(2026, 2, 4), test=test, value=value, unit=unit
    )


# --- item 2: triglyceride codes --------------------------------------------------------------


def test_a_european_13_6_mmol_per_litre_under_14927_8_is_hold_now(knowledge: Knowledge) -> None:
    assert lab_alerts(knowledge, "14927-8", 13.6, "mmol/L") == [
        ("TG_PANCREATITIS_RISK", "critical")
    ]


@pytest.mark.parametrize("unit", ["mg/dL", "mmol/L"])
def test_35217_9_mass_or_moles_accepts_both_units_without_a_coding_warning(
    knowledge: Knowledge, unit: str
) -> None:
    reading = check_lab_result(knowledge, result("35217-9", 5.0, unit))
    assert reading.coding_warning == ""


def test_a_code_and_unit_that_disagree_grade_the_converted_value_and_say_so(
    knowledge: Knowledge,
) -> None:
    # 14927-8 is moles/volume; 1200 mg/dL under it still converts and holds
    assert lab_alerts(knowledge, "14927-8", 1200, "mg/dL") == [
        ("TG_PANCREATITIS_RISK", "critical"),
        ("LAB_CODE_UNIT_MISMATCH", "info"),
    ]


# --- item 3: codes European laboratories send --------------------------------------------------

EUROPEAN_CODES = [
    ("1743-4", "U/L", "alt"),
    ("1744-2", "U/L", "alt"),
    ("30239-8", "U/L", "ast"),
    ("2324-2", "U/L", "ggt"),
    ("14646-4", "mmol/L", "hdl_cholesterol"),
    ("22748-8", "mmol/L", "ldl_cholesterol"),
    ("39469-2", "mmol/L", "ldl_cholesterol"),
    ("14749-6", "mmol/L", "glucose"),
    ("14771-0", "mmol/L", "glucose"),
    ("14631-6", "umol/L", "bilirubin_total"),
    ("14647-2", "mmol/L", "cholesterol_total"),
    ("1742-6", "µkat/L", "alt"),
]


@pytest.mark.parametrize(("code", "unit", "test_id"), EUROPEAN_CODES)
def test_codes_european_laboratories_send_are_read(
    knowledge: Knowledge, code: str, unit: str, test_id: str
) -> None:
    reading = check_lab_result(knowledge, result(code, 1.0, unit))
    assert (reading.test_id, reading.coding_warning) == (test_id, "")


@pytest.mark.parametrize(
    ("ukat", "expected"),
    [
        (40 / 60, None),  # exactly 40 U/L = the default upper limit: not above it
        (0.66, None),  # 39.6 U/L
        (0.67, ("ALT_RAISED", "info")),  # 40.2 U/L
    ],
)
def test_alt_in_microkatal_is_60_units_per_litre(
    knowledge: Knowledge, ukat: float, expected: tuple[str, str] | None
) -> None:
    found = lab_alerts(knowledge, "1744-2", ukat, "ukat/L")
    assert found == ([expected] if expected else [])


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (40, None),  # = ULN 40
        (100, ("GGT_RAISED", "info")),  # 2.5 x: still grade 1
        (101, ("GGT_HIGH", "warning")),
        (200, ("GGT_HIGH", "warning")),  # 5 x
        (201, ("GGT_VERY_HIGH", "warning")),
        (800, ("GGT_VERY_HIGH", "warning")),  # 20 x
        (801, ("GGT_LIFE_THREATENING", "critical")),
    ],
)
def test_ggt_ctcae_grades(
    knowledge: Knowledge, value: float, expected: tuple[str, str] | None
) -> None:
    found = lab_alerts(knowledge, "2324-2", value, "U/L", reference_high=40)
    assert found == ([expected] if expected else [])


@pytest.mark.parametrize(
    ("multiple", "expected"),
    [
        (2.5, ("CK_RAISED", "info")),
        (2.51, ("CK_HIGH", "info")),
        (5.01, ("CK_VERY_HIGH", "warning")),
        (10, ("CK_VERY_HIGH", "warning")),  # CTCAE grade 4 is above 10 x ULN
        (10.01, ("CK_LIFE_THREATENING", "critical")),
        (26, ("CK_LIFE_THREATENING", "critical")),  # the audit's case: nothing was raised
    ],
)
def test_ck_ctcae_grades_up_to_grade_4_above_ten_times_the_limit(
    knowledge: Knowledge, multiple: float, expected: tuple[str, str]
) -> None:
    assert lab_alerts(knowledge, "2157-6", 200 * multiple, "U/L", reference_high=200) == [expected]


# --- item 4: the blood count ------------------------------------------------------------------


@pytest.mark.parametrize("unit", ["10*9/L", "10^9/L", "/nL", "G/L"])
def test_a_white_cell_count_in_count_units_loads_and_is_graded(
    knowledge: Knowledge, unit: str
) -> None:
    assert lab_alerts(knowledge, "26464-8", 3.0, unit) == []
    assert lab_alerts(knowledge, "26464-8", 2.99, unit) == [("WBC_LOW", "warning")]
    assert lab_alerts(knowledge, "26464-8", 2.0, unit) == [("WBC_LOW", "warning")]
    assert lab_alerts(knowledge, "26464-8", 1.99, unit) == [("WBC_VERY_LOW", "critical")]
    assert lab_alerts(knowledge, "26464-8", 0.99, unit) == [("WBC_LIFE_THREATENING", "critical")]


@pytest.mark.parametrize(
    ("code", "value", "unit", "expected"),
    [
        ("6690-2", 3.0, "10*3/uL", None),
        ("6690-2", 2.9, "10*3/uL", ("WBC_LOW", "warning")),
        ("751-8", 1.5, "10*3/uL", None),
        ("751-8", 1.49, "10*3/uL", ("NEUTROPHILS_LOW", "warning")),
        ("26499-4", 1.0, "10*9/L", ("NEUTROPHILS_LOW", "warning")),
        ("26499-4", 0.99, "10*9/L", ("NEUTROPHILS_VERY_LOW", "critical")),
        ("26499-4", 0.49, "10*9/L", ("NEUTROPHILS_LIFE_THREATENING", "critical")),
        ("777-3", 75, "10*3/uL", None),
        ("777-3", 74, "10*3/uL", ("PLATELETS_LOW", "warning")),
        ("777-3", 49, "10*3/uL", ("PLATELETS_VERY_LOW", "critical")),
        ("777-3", 24, "10*3/uL", ("PLATELETS_LIFE_THREATENING", "critical")),
        ("718-7", 10.0, "g/dL", None),
        ("718-7", 9.9, "g/dL", ("HAEMOGLOBIN_LOW", "warning")),
        ("718-7", 79, "g/L", ("HAEMOGLOBIN_VERY_LOW", "critical")),
        ("59260-0", 6.3, "mmol/L", None),  # about 10.2 g/dL
        ("59260-0", 6.1, "mmol/L", ("HAEMOGLOBIN_LOW", "warning")),  # about 9.8 g/dL
    ],
)
def test_blood_count_low_grades_ctcae(
    knowledge: Knowledge, code: str, value: float, unit: str, expected: tuple[str, str] | None
) -> None:
    assert lab_alerts(knowledge, code, value, unit) == ([expected] if expected else [])


def test_a_result_that_cannot_be_read_is_a_warning_on_that_event_not_a_broken_course(
    knowledge: Knowledge,
) -> None:
    # ALT in an unit no laboratory should use: the course still loads and is evaluated; the
    # result is named as not checked and the follow-up check it might meet is unknown.
    timeline = started(
        lab("base-alt", -3, "alt", 20, "U/L"),
        lab("base-ast", -3, "ast", 22, "U/L"),
        lab("base-tg", -3, "tg", 110, "mg/dL"),
        lab("base-chol", -3, "cholesterol", 180, "mg/dL"),
        lab("m1-alt", 30, "alt", 20, "furlongs"),
        lab("m1-ast", 30, "ast", 22, "U/L"),
        lab("m1-tg", 30, "tg", 110, "mg/dL"),
        lab("m1-chol", 30, "cholesterol", 180, "mg/dL"),
    )
    report = evaluate_monitoring(knowledge, timeline, START + dt.timedelta(days=40))
    [unreadable] = [a for a in report.alerts if a.code == "LAB_RESULT_UNREADABLE"]
    assert unreadable.event_ids == ["m1-alt"]
    assert "alt 20 furlongs" in unreadable.message and "not checked" in unreadable.message
    [follow_up] = [
        i for i in report.labs_due if i.step_id == "follow_up" and i.status != "upcoming"
    ]
    assert (follow_up.status, follow_up.missing_tests) == ("unknown", ["alt"])
    assert "not checked" in follow_up.note
    assert "LAB_OVERDUE" not in [a.code for a in report.alerts]


# --- item 5: the pancreatitis band each policy picks --------------------------------------------


@pytest.mark.parametrize(
    ("policy", "value", "unit", "expected"),
    [
        (
            "test-uk",
            9.0,
            "mmol/L",
            ("TG_VERY_HIGH", "warning"),
        ),  # BNF (as uk-mhra-2023): above 9
        ("test-uk", 9.01, "mmol/L", ("TG_PANCREATITIS_RISK", "critical")),
        ("test-uk", 8.99, "mmol/L", ("TG_VERY_HIGH", "warning")),
        ("test-eu", 9.01, "mmol/L", ("TG_VERY_HIGH", "warning")),  # CTCAE grade 4 position
        ("test-eu", 999, "mg/dL", ("TG_VERY_HIGH", "warning")),
        ("test-eu", 1000, "mg/dL", ("TG_PANCREATITIS_RISK", "critical")),
        ("test-seed", 9.01, "mmol/L", ("TG_PANCREATITIS_RISK", "critical")),  # no position: lower
    ],
)
def test_each_policy_picks_its_pancreatitis_band(
    knowledge: Knowledge, policy: str, value: float, unit: str, expected: tuple[str, str]
) -> None:
    assert lab_alerts(knowledge, "triglycerides", value, unit, policy=policy) == [expected]


def test_the_ctcae_grade_labels_name_their_bands(knowledge: Knowledge) -> None:
    [(code, _)] = lab_alerts(knowledge, "triglycerides", 600, "mg/dL")
    report = evaluate_monitoring(
        knowledge,
        course(
            {
                "id": "lab-1",
                "type": "lab_result",
                "date": "2026-01-02",
                "test": "tg",
                "value": 600,
                "unit": "mg/dL",
            }
        ),
        dt.date(2026, 1, 3),
    )
    [alert] = [a for a in report.alerts if a.code == code]
    assert "CTCAE grade 3: above 500 up to 1000 mg/dL" in alert.message
