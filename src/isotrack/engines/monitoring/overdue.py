"""What was overdue on one day: the lab steps and PHQ-9 screens the policy asked for.

The same alerts :func:`evaluate_monitoring` raises (``LAB_OVERDUE``, ``MOOD_SCREEN_OVERDUE``),
from the same rule functions, without the rest of the report (screening, education, holds,
risk factors). The population audit asks this once per dispense of every course, so it pays
only for the two rules it reads.
"""

from __future__ import annotations

from isotrack.engines.monitoring.alerts import Alert, sort_alerts
from isotrack.engines.monitoring.course import CourseView
from isotrack.engines.monitoring.lab_readings import read_results
from isotrack.engines.monitoring.lab_schedule import labs_due
from isotrack.engines.monitoring.mood import mood_alerts
from isotrack.engines.monitoring.policy_choice import choose_position
from isotrack.knowledge import Knowledge

OVERDUE_CODES = frozenset({"LAB_OVERDUE", "MOOD_SCREEN_OVERDUE"})


def overdue_alerts(knowledge: Knowledge, course: CourseView) -> list[Alert]:
    """Overdue labs and mood screens on the course's day, ordered as the report orders them."""
    schedule_choice = choose_position(knowledge, course.timeline.policy, "lab_schedule")
    alerts: list[Alert] = []
    if course.end is None or course.as_of <= course.end:  # labs_due stops at the last dose
        readings, _ = read_results(knowledge, course)
        alerts.extend(labs_due(knowledge, readings, course, schedule_choice)[1])
    alerts.extend(a for a in mood_alerts(knowledge, course)[1] if a.code in OVERDUE_CODES)
    return sort_alerts([a for a in alerts if a.code in OVERDUE_CODES])
