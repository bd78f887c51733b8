"""Reading a course's clinical safety: holds and alert lifecycle, the pregnancy exposure
record, and the patient's crisis guidance, each for a caller who may see the course."""

from __future__ import annotations

import datetime as dt

from isotrack.engines.holds import (
    CrisisGuidance,
    PregnancyExposure,
    SafetyStatus,
    clinical_safety,
    mood_crisis_guidance,
    pregnancy_exposure,
)
from isotrack.service.access import Action
from isotrack.service.context import Service
from isotrack.service.courses import visible_course
from isotrack.store.users import User


def course_safety(service: Service, user: User, course_id: str, as_of: dt.date) -> SafetyStatus:
    """Clinical holds and every holding alert with its lifecycle (open, reviewed, resolved,
    superseded) as of ``as_of``."""
    course = visible_course(service, user, course_id, Action.READ_COURSE)
    return clinical_safety(service.knowledge(), course.timeline(), as_of)


def course_pregnancy_exposure(
    service: Service, user: User, course_id: str, as_of: dt.date
) -> PregnancyExposure | None:
    """The pregnancy exposure record (``None`` when no pregnancy is on record)."""
    course = visible_course(service, user, course_id, Action.READ_COURSE)
    return pregnancy_exposure(service.knowledge(), course.timeline(), as_of)


def crisis_guidance(
    service: Service, user: User, course_id: str, as_of: dt.date
) -> CrisisGuidance | None:
    """What the patient sees first while an item-9 answer holds the course (the crisis lines
    of the market of the course's policy)."""
    course = visible_course(service, user, course_id, Action.READ_COURSE)
    return mood_crisis_guidance(service.knowledge(), course.timeline(), as_of)
