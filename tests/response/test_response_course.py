"""Response to treatment over a course: trend, clearance, treat-to-clearance, flags, relapse."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from isotrack.cli import app
from isotrack.domain.clinical_events import GAGS_MAX_SCORE, IGA_MAX_GRADE, AcneAssessment
from isotrack.domain.timeline import Timeline
from isotrack.engines.assessment import assess
from isotrack.engines.response import evaluate_response
from isotrack.knowledge import Knowledge
from isotrack.knowledge.response import GradingScale
from timeline_cases import event, patient, timeline, timeline_document

MAYA = patient("pt-maya", "2004-06-01", "female", can_get_pregnant=False)
START = [
    event("w1", "weight", "2026-01-02", weight_kg=60),
    event("rx1", "prescription", "2026-01-05", product="claravis", daily_dose_mg=40,
          days_supply=30, refills=0),
    event("d1", "dispense", "2026-01-05", prescription_id="rx1", days_supply=30),
    event("start", "course_start", "2026-01-05"),
]  # fmt: skip


def assessment(
    event_id: str, date: str, grade: int, by: str = "prescriber", **fields: Any
) -> dict[str, Any]:
    return event(event_id, "acne_assessment", date, grade=grade, assessed_by=by, **fields)


def maya(*events: dict[str, Any]) -> Timeline:
    return timeline(*START, *events, policy="us-ipledge-2026", patient=MAYA)


def face(comedones: int, papules: int, pustules: int, nodules: int) -> dict[str, Any]:
    counts = {"comedones": comedones, "papules": papules, "pustules": pustules,
              "nodules_cysts": nodules}  # fmt: skip
    return {"face": counts}


def test_clearance_sets_the_treat_to_clearance_end_date(knowledge: Knowledge) -> None:
    # Maya starts at IGA 3, is almost clear (IGA 1) on 20 April: the trial definition of clear.
    course = maya(
        assessment("a0", "2026-01-05", 3),
        assessment("a1", "2026-03-02", 2),
        assessment("a2", "2026-04-20", 1),
    )
    report = evaluate_response(knowledge, course, dt.date(2026, 5, 1))
    assert report.definition.position_id == "iga_0_1"  # policy's clearance definition
    assert report.cleared_on == dt.date(2026, 4, 20)
    plan = report.treat_to_clearance
    # Treat-to-clearance position: continue 1-3 months after clearance (ga-2018, rade-2013).
    assert (plan.extra_months_low, plan.extra_months_high) == (1, 3)
    assert plan.projected_end_earliest == dt.date(2026, 5, 20)
    assert plan.projected_end_latest == dt.date(2026, 7, 20)


def test_before_clearance_the_end_depends_on_it(knowledge: Knowledge) -> None:
    course = maya(assessment("a0", "2026-01-05", 3), assessment("a1", "2026-03-02", 2))
    plan = evaluate_response(knowledge, course, dt.date(2026, 3, 10)).treat_to_clearance
    assert plan.cleared_on is None and plan.projected_end_earliest is None
    assert "depends on clearance" in plan.message


def test_a_self_reported_clear_grade_never_overwrites_the_prescribers(knowledge: Knowledge) -> None:
    # Maya reports herself clear on 1 March; her dermatologist still grades IGA 2 on 2 March.
    course = maya(
        assessment("a0", "2026-01-05", 3),
        assessment("s1", "2026-03-01", 0, by="patient", note="skin looks clear to me"),
        assessment("a1", "2026-03-02", 2),
    )
    report = evaluate_response(knowledge, course, dt.date(2026, 3, 10))
    assert report.cleared_on is None
    assert report.self_reported_clear_on == dt.date(2026, 3, 1)
    assert report.prescriber.latest is not None and report.prescriber.latest.grade == 2
    assert [p.event_id for p in report.self_report.points] == ["s1"]
    assert report.treat_to_clearance.projected_end_earliest is None


def test_the_trend_gives_per_cent_change_in_lesions_since_baseline(knowledge: Knowledge) -> None:
    course = maya(
        assessment("a0", "2026-01-05", 3, lesions=face(20, 10, 6, 4)),
        assessment("a1", "2026-03-02", 2, lesions=face(10, 5, 3, 1)),
    )
    latest = evaluate_response(knowledge, course, dt.date(2026, 3, 10)).prescriber.latest
    assert latest is not None
    assert latest.week == 8 and latest.grade_change == -1
    assert latest.lesion_total == 19
    assert latest.lesion_change_percent == pytest.approx(-52.5)
    assert latest.change_percent_by_type["nodules_cysts"] == pytest.approx(-75)


def test_an_early_flare_is_expected_not_failure(knowledge: Knowledge) -> None:
    # Worse at week 3: the flare window is the first 8 weeks (seed-004, mims-dermavax).
    course = maya(assessment("a0", "2026-01-05", 2), assessment("a1", "2026-01-26", 3))
    flags = evaluate_response(knowledge, course, dt.date(2026, 2, 1)).flags
    assert [f.id for f in flags] == ["early_flare"]
    assert flags[0].severity == "info" and "not treatment failure" in flags[0].message


def test_no_improvement_after_the_flare_window_is_flagged(knowledge: Knowledge) -> None:
    course = maya(
        event("c1", "condition", "2026-01-05", term="smoking"),
        assessment("a0", "2026-01-05", 3),
        assessment("a1", "2026-03-16", 3),
    )
    report = assess(knowledge, course, dt.date(2026, 3, 20)).response
    flag = next(f for f in report.flags if f.id == "no_improvement")
    assert flag.severity == "caution"
    assert "Smoking" in flag.action  # a slow-response factor from the knowledge base


def test_nodules_down_more_than_70_percent_allow_an_early_stop(knowledge: Knowledge) -> None:
    # US label: the course may stop early once nodules have fallen by more than 70 %.
    course = maya(
        assessment("a0", "2026-01-05", 4, lesions=face(0, 0, 0, 10)),
        assessment("a1", "2026-03-30", 2, lesions=face(0, 0, 0, 2)),
    )
    flags = evaluate_response(knowledge, course, dt.date(2026, 4, 1)).flags
    assert "early_stop_possible" in {f.id for f in flags}


def test_relapse_after_the_course_is_tracked_with_the_second_course_rule(
    knowledge: Knowledge,
) -> None:
    # Clear in April, last dose 31 May, acne back (IGA 3) in September.
    course = maya(
        assessment("a0", "2026-01-05", 3),
        assessment("a1", "2026-04-20", 1),
        event("end", "course_end", "2026-05-31"),
        assessment("a2", "2026-09-14", 3),
    )
    relapse = evaluate_response(knowledge, course, dt.date(2026, 9, 20)).relapse
    assert relapse is not None
    assert relapse.relapse_on == dt.date(2026, 9, 14)
    # US label (policy us-ipledge-2026): a second course only after 2 months off the drug.
    assert relapse.second_course_not_before == dt.date(2026, 7, 31)
    assert "same cumulative dose" in relapse.second_course_rule


def test_an_iga_grade_above_4_is_refused_naming_the_field() -> None:
    with pytest.raises(ValidationError, match="grade: 5 is not an IGA grade"):
        AcneAssessment(id="a", date=dt.date(2026, 1, 5), grade=5, assessed_by="prescriber")
    gags = AcneAssessment(id="g", date=dt.date(2026, 1, 5), scale="gags", grade=25,
                          assessed_by="prescriber")  # fmt: skip
    assert gags.grade == 25


def test_the_event_bounds_are_the_cited_scales(knowledge: Knowledge) -> None:
    scales = knowledge.records("grading_scale", GradingScale)
    assert scales["iga"].maximum == IGA_MAX_GRADE
    assert scales["gags"].maximum == GAGS_MAX_SCORE
    assert scales["iga"].grade(1).label == "almost clear"


def test_the_evaluate_output_carries_response_and_pk_sections(knowledge: Knowledge) -> None:
    course = maya(assessment("a0", "2026-01-05", 3), event("end", "course_end", "2026-02-03"))
    result = assess(knowledge, course, dt.date(2026, 3, 1)).model_dump(mode="json")
    assert result["response"]["prescriber"]["baseline"]["grade"] == 3
    assert result["pk"]["washout"]["rules"]
    assert result["pk"]["washout_days"] > 0


def test_evaluate_prints_the_response_and_drug_level_sections(tmp_path: Path) -> None:
    document = timeline_document(
        *START, assessment("a0", "2026-01-05", 3), assessment("a1", "2026-04-20", 1),
        policy="us-ipledge-2026", patient=MAYA,
    )  # fmt: skip
    path = tmp_path / "maya.json"
    path.write_text(json.dumps(document))
    result = CliRunner().invoke(app, ["evaluate", str(path), "--as-of", "2026-05-01"])
    assert result.exit_code == 0, result.output
    assert "Response to treatment" in result.output
    assert "Clearance: 2026-04-20" in result.output
    assert "2026-05-20" in result.output  # clearance + 1 month, the earliest end
