"""Lab results as chart series, and the threshold lines drawn with them.

Results are read with the monitoring engine's own resolver and unit conversion, so every value
is in the test's canonical unit and the lines sit exactly where the alerts fire. A clinic that
shows mmol/L or µkat/L (``service.clinic_settings.DisplayUnits``) gets values and lines
converted by the same pint-based conversion; stored results are never changed.
"""

from __future__ import annotations

from dataclasses import dataclass

from isotrack.domain.errors import IsotrackInputError
from isotrack.domain.events import LabResultRecorded
from isotrack.engines.monitoring.grade_thresholds import threshold_value
from isotrack.engines.monitoring.lab_units import (
    LabReading,
    UnitMismatch,
    check_lab_result,
    convert,
)
from isotrack.knowledge import Knowledge
from isotrack.knowledge.monitoring import LabGrade, LabTest, Severity, lab_tests
from isotrack.service.clinic_settings import DisplayUnits
from isotrack.web.charts import Point, Threshold


@dataclass(frozen=True)
class LabSeries:
    """One test's readings in its canonical unit, with its alert thresholds."""

    test_name: str
    unit: str
    points: list[Point]
    thresholds: list[Threshold]
    unreadable: list[str]  # event ids whose unit or test could not be read


def _thresholds(knowledge: Knowledge, test: LabTest, latest: LabReading) -> list[Threshold]:
    lines: list[Threshold] = []
    for grade in knowledge.records("lab_grade", LabGrade).values():
        if grade.test != test.id:
            continue
        if knowledge.fact(grade.threshold_fact).value is None:
            continue
        try:
            value = threshold_value(knowledge, grade, latest)  # the alerts' own threshold
        except UnitMismatch:
            continue
        if value is None:
            continue  # without an upper limit of normal the line's place is unknown
        severity = "critical" if grade.severity is Severity.CRITICAL else "warning"
        lines.append(Threshold(grade.label, value, severity))
    if latest.upper_limit is not None and all(
        abs(line.value - latest.upper_limit) > 1e-9 for line in lines
    ):
        lines.append(Threshold("upper limit of normal", latest.upper_limit))
    return lines


def shown_unit_label(unit: str) -> str:
    """A unit as people write it (pint's ``ukat/L`` is µkat/L)."""
    return unit.replace("ukat", "µkat").replace("umol", "µmol")


def _in_shown_unit(knowledge: Knowledge, test: LabTest, series: LabSeries, unit: str) -> LabSeries:
    if unit == series.unit:
        return series

    def shown(value: float) -> float:
        return convert(knowledge, test, value, series.unit, unit)

    return LabSeries(
        test_name=series.test_name,
        unit=shown_unit_label(unit),
        points=[Point(p.day, shown(p.value)) for p in series.points],
        thresholds=[Threshold(t.label, shown(t.value), t.severity) for t in series.thresholds],
        unreadable=series.unreadable,
    )


def lab_series(
    knowledge: Knowledge,
    results: list[LabResultRecorded],
    units: DisplayUnits | None = None,
) -> list[LabSeries]:
    """Every lab test recorded in the course as one series, in the order tests first appear,
    in the units the clinic shows (``units``; the tests' canonical units when None)."""
    tests = lab_tests(knowledge)
    readings: dict[str, list[LabReading]] = {}
    unreadable: list[str] = []
    for result in results:
        try:
            reading = check_lab_result(knowledge, result)
        except IsotrackInputError:
            unreadable.append(result.id)
            continue
        readings.setdefault(reading.test_id, []).append(reading)
    series = []
    for test_id, found in readings.items():
        found.sort(key=lambda r: r.date)
        test = tests[test_id]
        canonical = LabSeries(
            test_name=test.name,
            unit=found[-1].unit,
            points=[Point(r.date, r.value) for r in found],
            thresholds=_thresholds(knowledge, test, found[-1]),
            unreadable=unreadable,
        )
        shown = (units or DisplayUnits()).shown_unit(test.canonical_unit, test.common_units)
        series.append(_in_shown_unit(knowledge, test, canonical, shown))
    return series
