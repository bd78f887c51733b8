"""The monitoring knowledge is consistent: every grade, rule, schedule and factor resolves."""

from __future__ import annotations

from isotrack.knowledge import Knowledge, load_knowledge
from isotrack.knowledge.monitoring import adverse_effects, lab_schedules, lab_stop_rules
from isotrack.knowledge.monitoring_checks import monitoring_problems


def test_monitoring_records_link_to_existing_facts_tests_and_positions(
    knowledge: Knowledge,
) -> None:
    assert monitoring_problems(knowledge) == []


def test_the_packaged_knowledge_base_loads_with_the_monitoring_sections() -> None:
    packaged = load_knowledge()
    assert monitoring_problems(packaged) == []
    assert {"lab_test", "lab_grade", "adverse_effect", "interaction"} <= set(packaged.sections)


def test_every_lab_schedule_and_stop_rule_position_has_an_implementation(
    knowledge: Knowledge,
) -> None:
    positions = {
        d.id: {p.id for p in d.positions}
        for d in knowledge.disagreements.values()
        if d.id in ("lab_schedule", "abnormal_labs_stop_rule")
    }
    assert set(lab_schedules(knowledge)) == positions["lab_schedule"]
    assert set(lab_stop_rules(knowledge)) == positions["abnormal_labs_stop_rule"]


def test_the_red_flags_the_issue_names_are_red_flags(knowledge: Knowledge) -> None:
    red = {e.id for e in adverse_effects(knowledge) if e.red_flag}
    assert {
        "pseudotumour_cerebri",
        "pancreatitis",
        "bowel_symptoms",
        "hearing_loss",
        "visual_disturbance",
        "severe_skin_reaction",
        "suicidal_thoughts",
    } <= red


def test_a_broken_link_is_reported(knowledge: Knowledge) -> None:
    grade = next(iter(knowledge.sections["lab_grade"].values()))
    broken = grade.model_copy(update={"threshold_fact": "labs.no_such_fact"})
    sections = {**knowledge.sections, "lab_grade": {"broken": broken}}
    problems = monitoring_problems(Knowledge(sections=sections))
    assert any("labs.no_such_fact" in p for p in problems)
