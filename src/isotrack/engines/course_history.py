"""Earlier courses of a patient's record, each with its own cumulative dose (issue 11, item 10).

The current course's dose, target and projection start from zero after a new course begins
(``engines/courses.py``); the courses before it are listed beside it, never added to it.
"""

from __future__ import annotations

import datetime as dt

from isotrack.domain.timeline import Timeline
from isotrack.engines.courses import EarlierCourse, course_slices
from isotrack.engines.dose import evaluate_dose
from isotrack.knowledge import Knowledge


def earlier_courses(
    knowledge: Knowledge, timeline: Timeline, as_of: dt.date
) -> list[EarlierCourse]:
    """Each course that ended before the current one began, oldest first."""
    found: list[EarlierCourse] = []
    for number, last_dose, events in course_slices(knowledge, timeline, as_of):
        course = timeline.model_copy(update={"events": list(events)})
        progress = evaluate_dose(knowledge, course, last_dose)
        found.append(
            EarlierCourse(
                number=number,
                start=progress.course_start,
                last_dose=last_dose,
                cumulative_mg=progress.cumulative_mg,
                cumulative_mg_per_kg=progress.cumulative_mg_per_kg,
            )
        )
    return found
