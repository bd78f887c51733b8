"""Links between monitoring records and facts that one record's model cannot check: a grade
naming a missing test or fact, a schedule step without a window, the unit each LOINC code fixes,
a grade tied to a policy position that does not exist. Runs whenever the knowledge loads.
"""

from __future__ import annotations

from itertools import pairwise

from isotrack.knowledge.loader import Knowledge
from isotrack.knowledge.monitoring import (
    CodeSystem,
    Contraindication,
    Interaction,
    KnownTerm,
    ThresholdBasis,
    contraindications,
    interactions,
    known_terms,
    lab_grades,
    lab_schedules,
    lab_stop_rules,
    lab_tests,
    phq9_bands,
    risk_factors,
)
from isotrack.knowledge.sections import CROSS_CHECKS


def monitoring_problems(knowledge: Knowledge) -> list[str]:
    """Broken links between monitoring records and facts; empty when consistent."""
    problems: list[str] = []
    facts = knowledge.facts
    tests = lab_tests(knowledge)
    systems = set(knowledge.records("code_system", CodeSystem))

    def need_fact(owner: str, fact_id: str | None, *, unit_like: str | None = None) -> None:
        if fact_id is None:
            return
        fact = facts.get(fact_id)
        if fact is None:
            problems.append(f"{owner} names missing fact {fact_id!r}")
        elif unit_like == "x_ULN" and fact.unit != "x_ULN":
            problems.append(f"{owner}: fact {fact_id!r} must be in x_ULN, not {fact.unit!r}")

    for test in tests.values():
        need_fact(f"lab test {test.id!r}", test.molar_mass_fact)
        need_fact(f"lab test {test.id!r}", test.default_upper_limit_fact)
        readable = {test.canonical_unit, *test.common_units}
        for loinc in test.loinc:
            for unit in (loinc.unit, *loinc.also_units):
                if unit not in readable:
                    problems.append(
                        f"lab test {test.id!r}: LOINC {loinc.code} fixes {unit!r}, which is not "
                        f"one of the test's units ({', '.join(sorted(readable))})"
                    )
    owners: dict[str, str] = {}
    for test in tests.values():
        for loinc in test.loinc:
            if loinc.code in owners:
                problems.append(
                    f"LOINC {loinc.code} belongs to both {owners[loinc.code]!r} and {test.id!r}"
                )
            owners[loinc.code] = test.id
    for grade in lab_grades(knowledge):
        if grade.test not in tests:
            problems.append(f"lab grade {grade.id!r} names missing test {grade.test!r}")
        unit_like = "x_ULN" if grade.basis is ThresholdBasis.ULN_MULTIPLE else None
        need_fact(f"lab grade {grade.id!r}", grade.threshold_fact, unit_like=unit_like)
        if (grade.disagreement is None) != (grade.position is None):
            problems.append(f"lab grade {grade.id!r} names a disagreement without a position")
        elif grade.disagreement is not None:
            disputed = knowledge.disagreements.get(grade.disagreement)
            if disputed is None:
                problems.append(
                    f"lab grade {grade.id!r} names missing disagreement {grade.disagreement!r}"
                )
            elif grade.position not in {p.id for p in disputed.positions}:
                problems.append(
                    f"lab grade {grade.id!r} names missing position {grade.position!r} "
                    f"of {grade.disagreement!r}"
                )
    for rule in lab_stop_rules(knowledge).values():
        for test_id in rule.tests:
            if test_id not in tests:
                problems.append(f"lab stop rule {rule.id!r} names missing test {test_id!r}")
        for fact_id in (rule.fold_fact, rule.min_parameters_fact, rule.consecutive_fact):
            need_fact(f"lab stop rule {rule.id!r}", fact_id)
    for schedule in lab_schedules(knowledge).values():
        for step in schedule.steps:
            owner = f"lab schedule {schedule.id!r} step {step.id!r}"
            for fact_id in (
                step.offset_fact,
                step.repeat_every_fact,
                step.lookback_fact,
                step.window_fact,
            ):
                need_fact(owner, fact_id)
            for test_id in step.tests:
                if test_id not in tests:
                    problems.append(f"{owner} names missing test {test_id!r}")
            offset = facts.get(step.offset_fact) if step.offset_fact else None
            offset_is_range = offset is not None and offset.low is not None
            if step.window_fact is None and not offset_is_range:
                problems.append(f"{owner} needs a window_fact (its offset is not a range)")
    coded: list[Contraindication | Interaction | KnownTerm] = [
        *contraindications(knowledge),
        *interactions(knowledge),
        *known_terms(knowledge),
    ]
    for record in coded:
        for code in record.codes:
            if code.system not in systems:
                problems.append(f"{record.id!r} uses unknown code system {code.system!r}")
    for contraindication in contraindications(knowledge):
        if contraindication.disagreement is None:
            continue
        disagreement = knowledge.disagreements.get(contraindication.disagreement)
        if disagreement is None:
            problems.append(
                f"contraindication {contraindication.id!r} names missing disagreement "
                f"{contraindication.disagreement!r}"
            )
            continue
        known_positions = {p.id for p in disagreement.positions}
        for position_id in contraindication.kind_by_position:
            if position_id not in known_positions:
                problems.append(
                    f"contraindication {contraindication.id!r} maps missing position "
                    f"{position_id!r}"
                )
    for factor in risk_factors(knowledge):
        if factor.age_rule is not None:
            need_fact(f"risk factor {factor.id!r}", factor.age_rule.below_fact)
            need_fact(f"risk factor {factor.id!r}", factor.age_rule.above_fact)
        elif not factor.input_kinds:
            problems.append(f"risk factor {factor.id!r} has neither input kinds nor an age rule")
    bands = phq9_bands(knowledge)
    for before, after in pairwise(bands):
        if after.low != before.high + 1:
            problems.append(f"PHQ-9 bands {before.id!r} and {after.id!r} leave a gap or overlap")
    return problems


CROSS_CHECKS.append(monitoring_problems)
