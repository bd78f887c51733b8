"""Graded lab alerts: grade bands, rise from the patient's baseline, and the policy's stop rule.

Each test is judged on its latest result. The baseline is the latest result on or before the
first dose. Thresholds come from facts; a result reaching a band exactly counts for ``>=``
bands and not for ``>`` bands (compared with floating-point tolerance, so 5.647 mmol/L of
triglyceride is exactly the 500 mg/dL band).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from isotrack.engines.monitoring.alerts import Alert, merge_sources
from isotrack.engines.monitoring.course import CourseView
from isotrack.engines.monitoring.grade_thresholds import grade_threshold
from isotrack.engines.monitoring.lab_readings import (
    baseline_by_test,
    describe_reading,
    latest_by_test,
)
from isotrack.engines.monitoring.lab_units import LabReading
from isotrack.engines.monitoring.policy_choice import PolicyChoice
from isotrack.knowledge import Knowledge
from isotrack.knowledge.monitoring import (
    Comparison,
    LabGrade,
    LabStopRule,
    Severity,
    StopRuleKind,
    ThresholdBasis,
    lab_grades,
    lab_stop_rules,
)

RISE_FACT = "labs.rise_from_baseline.fold"


def reaches(value: float, threshold: float, comparison: Comparison) -> bool:
    """Whether ``value`` is in the band that starts at ``threshold``."""
    equal = math.isclose(value, threshold)
    if comparison is Comparison.AT_LEAST:
        return equal or value > threshold
    if comparison is Comparison.AT_MOST:
        return equal or value < threshold
    if comparison is Comparison.BELOW:
        return value < threshold and not equal
    return value > threshold and not equal


def _uln_text(reading: LabReading) -> str:
    where = "its reference range" if reading.upper_limit_from == "result" else "isotrack default"
    return f"upper limit {reading.upper_limit:g} {reading.unit}, {where}"


def _grade_measure(knowledge: Knowledge, grade: LabGrade, reading: LabReading) -> float | None:
    """The reading on the grade's scale: a concentration, or a multiple of the upper limit."""
    if grade.basis is ThresholdBasis.ULN_MULTIPLE:
        if reading.upper_limit is None or reading.upper_limit <= 0:
            return None
        return reading.value / reading.upper_limit
    return reading.value


def _applies(knowledge: Knowledge, grade: LabGrade, policy_id: str | None) -> bool:
    """A disputed band applies when the policy picks its position, or picks none at all."""
    if grade.disagreement is None or policy_id is None or policy_id not in knowledge.policies:
        return True
    chosen = knowledge.policy(policy_id).positions.get(grade.disagreement)
    return chosen is None or chosen == grade.position


def _grades_by_test(knowledge: Knowledge, policy_id: str | None) -> dict[str, tuple[LabGrade, ...]]:
    """The bands that apply under a policy, per test, in knowledge order (once per knowledge
    base and policy)."""

    def build() -> dict[str, tuple[LabGrade, ...]]:
        by_test: dict[str, list[LabGrade]] = {}
        for grade in lab_grades(knowledge):
            if _applies(knowledge, grade, policy_id):
                by_test.setdefault(grade.test, []).append(grade)
        return {test: tuple(grades) for test, grades in by_test.items()}

    return knowledge.derived(("labs.grades_by_test", policy_id), build)


def _severity_of(pair: tuple[float, LabGrade]) -> tuple[int, float]:
    """Most severe first; within a severity the band furthest from normal."""
    threshold, grade = pair
    return (-grade.severity.rank, -threshold if grade.comparison.low_side else threshold)


def grade_alerts(
    knowledge: Knowledge, readings: Sequence[LabReading], policy_id: str | None = None
) -> list[Alert]:
    """The highest grade band each test's latest result reaches (under the policy's positions
    where sources disagree on a band)."""
    alerts: list[Alert] = []
    grades_of = _grades_by_test(knowledge, policy_id)
    for reading in latest_by_test(readings).values():
        reached: list[tuple[float, LabGrade]] = []
        unknown_uln = False
        for grade in grades_of.get(reading.test_id, ()):
            measure = _grade_measure(knowledge, grade, reading)
            if measure is None:
                unknown_uln = True
                continue
            threshold = grade_threshold(knowledge, grade, reading.unit)
            if reaches(measure, threshold, grade.comparison):
                reached.append((threshold, grade))
        if unknown_uln and not reached:
            alerts.append(
                Alert(
                    severity=Severity.INFO,
                    code="LAB_ULN_UNKNOWN",
                    topic="labs",
                    message=f"{describe_reading(reading)}: no upper reference limit known, "
                    "not graded.",
                    action="Record the laboratory's reference range with the result.",
                    event_ids=[reading.event_id],
                )
            )
        if not reached:
            continue
        threshold, grade = max(reached, key=_severity_of)
        fact = knowledge.fact(grade.threshold_fact)
        if grade.basis is ThresholdBasis.ULN_MULTIPLE:
            multiple = reading.value / (reading.upper_limit or math.inf)
            detail = (
                f"{multiple:.2f} x the upper limit ({_uln_text(reading)}); "
                f"band {grade.comparison.value} {threshold:g} x ULN"
            )
        else:
            detail = f"band {grade.comparison.value} {knowledge.number(fact.id):g} {fact.unit}"
        alerts.append(
            Alert(
                severity=grade.severity,
                code=grade.code,
                topic="labs",
                message=f"{describe_reading(reading)} is {grade.label}: {detail}.",
                action=grade.action,
                source_ids=merge_sources(grade.source_ids, fact.source_ids),
                event_ids=[reading.event_id],
            )
        )
    return alerts


def rise_alerts(
    knowledge: Knowledge, readings: Sequence[LabReading], course: CourseView
) -> list[Alert]:
    """A graded test whose latest on-treatment result is a large multiple of its baseline."""
    if course.start is None:
        return []
    fact = knowledge.fact(RISE_FACT)
    fold = knowledge.number(RISE_FACT)
    # A rise matters for tests graded on the high side; a blood count rising is not a harm.
    graded = {g.test for g in lab_grades(knowledge) if not g.comparison.low_side}
    baselines = baseline_by_test(readings, course)
    alerts: list[Alert] = []
    for test_id, reading in latest_by_test(readings).items():
        baseline = baselines.get(test_id)
        if test_id not in graded or baseline is None or reading.date <= course.start:
            continue
        if baseline.value <= 0:
            continue
        ratio = reading.value / baseline.value
        if reaches(ratio, fold, Comparison.AT_LEAST):
            alerts.append(
                Alert(
                    severity=Severity.WARNING,
                    code="LAB_RISE_FROM_BASELINE",
                    topic="labs",
                    message=(
                        f"{describe_reading(reading)} is {ratio:.2f} x the baseline "
                        f"({baseline.value:.4g} {baseline.unit} on {baseline.date.isoformat()}); "
                        f"flagged from {fold:g} x."
                    ),
                    action="Recheck and look for a cause even if the value is within the normal "
                    "range; the policy's stop rule decides whether to hold treatment.",
                    source_ids=list(fact.source_ids),
                    event_ids=[baseline.event_id, reading.event_id],
                )
            )
    return alerts


def _fold_value(knowledge: Knowledge, rule: LabStopRule) -> float:
    assert rule.fold_fact is not None  # guaranteed by the knowledge checks for every rule kind
    if rule.fold_bound == "value":
        return knowledge.number(rule.fold_fact)
    low, high = knowledge.bounds(rule.fold_fact)
    return low if rule.fold_bound == "low" else high


def _multiple_of_uln(reading: LabReading) -> float | None:
    if reading.upper_limit is None or reading.upper_limit <= 0:
        return None
    return reading.value / reading.upper_limit


def stop_rule_alerts(
    knowledge: Knowledge,
    readings: Sequence[LabReading],
    course: CourseView,
    choice: PolicyChoice | None,
) -> list[Alert]:
    """Apply the policy's ``abnormal_labs_stop_rule`` position to on-treatment results."""
    if choice is None or course.start is None:
        return []
    rule = lab_stop_rules(knowledge).get(choice.position)
    if rule is None:
        return [
            Alert(
                severity=Severity.INFO,
                code="LAB_STOP_RULE_NOT_IMPLEMENTED",
                topic="policy",
                message=f"No stop rule is defined for position {choice.position!r}.",
                action="Judge abnormal results clinically.",
                source_ids=choice.source_ids,
            )
        ]
    start = course.start
    on_treatment = [r for r in readings if r.date > start and r.test_id in rule.tests]
    fold = _fold_value(knowledge, rule)
    named = f"policy {choice.chosen_by!r}, rule {rule.id!r}"
    sources = merge_sources(rule.source_ids, choice.source_ids)
    if rule.kind is StopRuleKind.SINGLE_PARAMETER:
        hits = [
            (r, m)
            for r in latest_by_test(on_treatment).values()
            if (m := _multiple_of_uln(r)) is not None and reaches(m, fold, rule.comparison)
        ]
        if not hits:
            return []
        listed = "; ".join(f"{describe_reading(r)} = {m:.2f} x ULN" for r, m in hits)
        return [
            Alert(
                severity=Severity.CRITICAL,
                code=rule.code,
                topic="labs",
                message=f"{listed}: above {fold:g} x ULN ({named}).",
                action=rule.action,
                source_ids=sources,
                event_ids=[r.event_id for r, _ in hits],
            )
        ]
    if rule.kind is StopRuleKind.MULTI_PARAMETER:
        return _multi_parameter(
            knowledge, rule, on_treatment, readings, course, fold, named, sources
        )
    return _not_normalising(knowledge, rule, on_treatment, fold, named, sources)


def _multi_parameter(
    knowledge: Knowledge,
    rule: LabStopRule,
    on_treatment: Sequence[LabReading],
    readings: Sequence[LabReading],
    course: CourseView,
    fold: float,
    named: str,
    sources: list[str],
) -> list[Alert]:
    assert rule.min_parameters_fact is not None
    needed = knowledge.number(rule.min_parameters_fact)
    baselines = baseline_by_test(readings, course) if rule.baseline_first else {}
    raised: list[tuple[LabReading, float, str]] = []
    for reading in latest_by_test(on_treatment).values():
        baseline = baselines.get(reading.test_id)
        if baseline is not None and baseline.value > 0:
            multiple, against = reading.value / baseline.value, "baseline"
        else:
            uln_multiple = _multiple_of_uln(reading)
            if uln_multiple is None:
                continue  # neither a baseline nor a reference limit: cannot be judged
            multiple, against = uln_multiple, "ULN"
        if reaches(multiple, fold, rule.comparison):
            raised.append((reading, multiple, against))
    if not raised:
        return []
    listed = "; ".join(f"{describe_reading(r)} = {m:.2f} x {a}" for r, m, a in raised)
    ids = [r.event_id for r, _, _ in raised]
    if reaches(len(raised), needed, Comparison.AT_LEAST):
        return [
            Alert(
                severity=Severity.CRITICAL,
                code=rule.code,
                topic="labs",
                message=f"{len(raised)} parameters raised {fold:g}-fold or more together: "
                f"{listed} ({named}).",
                action=rule.action,
                source_ids=sources,
                event_ids=ids,
            )
        ]
    return [
        Alert(
            severity=Severity.WARNING,
            code="LAB_SINGLE_PARAMETER_RAISED",
            topic="labs",
            message=f"{listed}: raised {fold:g}-fold or more, but fewer than {needed:g} "
            f"parameters together, so this alone does not stop treatment ({named}).",
            action="Recheck the raised parameter with the full panel at the next test.",
            source_ids=sources,
            event_ids=ids,
        )
    ]


def _not_normalising(
    knowledge: Knowledge,
    rule: LabStopRule,
    on_treatment: Sequence[LabReading],
    fold: float,
    named: str,
    sources: list[str],
) -> list[Alert]:
    assert rule.consecutive_fact is not None
    in_a_row = int(knowledge.number(rule.consecutive_fact))
    alerts: list[Alert] = []
    for test_id in rule.tests:
        series = [r for r in on_treatment if r.test_id == test_id][-in_a_row:]
        if len(series) < in_a_row:
            continue
        multiples = [_multiple_of_uln(r) for r in series]
        if all(m is not None and reaches(m, fold, rule.comparison) for m in multiples):
            alerts.append(
                Alert(
                    severity=Severity.CRITICAL,
                    code=rule.code,
                    topic="labs",
                    message=f"{series[-1].test_name} above the upper limit on the last "
                    f"{in_a_row} results ({named}).",
                    action=rule.action,
                    source_ids=sources,
                    event_ids=[r.event_id for r in series],
                )
            )
    return alerts
