"""Where a lab grade band sits: one function for the alerts that grade results and for the
charts that draw the bands (issue 12: derive rather than restate)."""

from __future__ import annotations

from isotrack.engines.monitoring.lab_units import LabReading, convert
from isotrack.knowledge import Knowledge
from isotrack.knowledge.monitoring import LabGrade, ThresholdBasis, lab_tests


def grade_threshold(knowledge: Knowledge, grade: LabGrade, unit: str) -> float:
    """The band's threshold as results are compared with it: a multiple of the upper limit of
    normal, or a value in ``unit`` (converted once per knowledge base and unit)."""
    fact = knowledge.fact(grade.threshold_fact)
    if grade.basis is ThresholdBasis.ULN_MULTIPLE:
        return knowledge.number(fact.id)
    test = lab_tests(knowledge)[grade.test]
    return knowledge.derived(
        ("labs.grade_threshold", grade.id, unit),
        lambda: convert(knowledge, test, knowledge.number(fact.id), fact.unit, unit),
    )


def threshold_value(knowledge: Knowledge, grade: LabGrade, reading: LabReading) -> float | None:
    """The band as a value in the reading's unit (a chart's line); ``None`` for a band set as a
    multiple of the upper limit when the reading has no upper limit (its place is unknown)."""
    threshold = grade_threshold(knowledge, grade, reading.unit)
    if grade.basis is ThresholdBasis.ULN_MULTIPLE:
        return None if reading.upper_limit is None else threshold * reading.upper_limit
    return threshold
