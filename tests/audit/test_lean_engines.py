"""The audit asks the engines only what its rules read (overdue labs and PHQ-9 screens at each
dispense, the programme requirements at the look back). Those lean calls must answer exactly
what the full reports answer, on every course of a synthetic population and at every day the
audit asks about: the rule stays written once, in the engine."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from isotrack.audit.synth import AUDIT_DATE, synth_course
from isotrack.domain.events import Dispensed
from isotrack.domain.timeline import Timeline, load_timeline
from isotrack.engines.monitoring import evaluate_monitoring
from isotrack.engines.monitoring.course import course_view
from isotrack.engines.monitoring.overdue import OVERDUE_CODES, overdue_alerts
from isotrack.engines.programme import evaluate_programme
from isotrack.engines.programme.decision import programme_requirements
from isotrack.knowledge import Knowledge

COURSES = 30
SEED = 1  # courses 0, 6 and 18 of seed 1 miss a PHQ-9 or labs


@pytest.fixture(scope="module")
def courses() -> list[Timeline]:
    return [load_timeline(synth_course(SEED, index)[0]) for index in range(COURSES)]


def _asked(timeline: Timeline) -> list[tuple[Timeline, dt.date]]:
    """The course as it stood at each dispense (what was recorded before it), and at the end."""
    asked = []
    for position, event in enumerate(timeline.events):
        if isinstance(event, Dispensed):
            before = timeline.model_copy(update={"events": timeline.events[:position]})
            asked.append((before, event.date))
    return [*asked, (timeline, AUDIT_DATE)]


def test_overdue_labs_and_screens_are_those_of_the_monitoring_report(
    knowledge: Knowledge, courses: list[Timeline]
) -> None:
    seen: Counter[str] = Counter()
    for timeline in courses:
        for course, day in _asked(timeline):
            report = evaluate_monitoring(knowledge, course, day)
            expected = [a for a in report.alerts if a.code in OVERDUE_CODES]
            assert overdue_alerts(knowledge, course_view(course, day)) == expected
            seen.update(a.code for a in expected)
    # The population has both kinds overdue somewhere, so the comparison compared something.
    assert set(seen) == OVERDUE_CODES


def test_programme_requirements_are_those_of_the_programme_report(
    knowledge: Knowledge, courses: list[Timeline]
) -> None:
    for timeline in courses:
        report = evaluate_programme(knowledge, timeline, AUDIT_DATE)
        treatment, requirements = programme_requirements(knowledge, timeline, AUDIT_DATE)
        assert (treatment, requirements) == (report.treatment, report.requirements)
