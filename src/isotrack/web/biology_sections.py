"""What the course page and the patient's page add for the course's biology (their templates
include ``_course_biology.html`` and ``_my_biology.html``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from isotrack.domain.errors import IsotrackInputError
from isotrack.knowledge import Knowledge
from isotrack.service import biology
from isotrack.service.accounts import User
from isotrack.service.context import Service
from isotrack.web.acne_form import (
    LESION_LABELS,
    SCARRING,
    SITES,
    grade_choices,
    lesion_field,
    patient_grade_choices,
)
from isotrack.web.biology_view import dispense_days, levels_view, response_view
from isotrack.web.washout_explained import washout_explained

UNAVAILABLE = "The response and drug-level sections could not be drawn for this course."


def _load(
    service: Service, user: User, course_id: str, day: dt.date
) -> biology.CourseBiology | None:
    try:
        return biology.course_biology(service, user, course_id, day)
    except (IsotrackInputError, KeyError, ValueError):
        return None


def course_biology_context(
    knowledge: Knowledge, service: Service, user: User, course_id: str, day: dt.date
) -> dict[str, Any]:
    """The prescriber's sections: response, its chart, the assessment form, drug levels."""
    found = _load(service, user, course_id, day)
    form = {
        "iga_grades": grade_choices(knowledge, "iga"),
        "gags_range": (0, 44),
        "sites": SITES,
        "lesion_types": list(LESION_LABELS.items()),
        "lesion_field": lesion_field,
        "scarring": SCARRING,
    }
    if found is None:
        return {"bio_unavailable": UNAVAILABLE, "acne_form": form}
    levels = None
    if found.levels is not None:
        levels = levels_view(knowledge, found.levels, dispense_days(found.timeline))
    return {
        "response": response_view(knowledge, found),
        "levels": levels,
        "acne_form": form,
    }


def my_biology_context(
    knowledge: Knowledge, service: Service, user: User, course_id: str, day: dt.date
) -> dict[str, Any]:
    """The patient's sections: a self-report form and why contraception lasts a month more."""
    found = _load(service, user, course_id, day)
    latest = None
    if found is not None and found.assessment.response.self_report.latest is not None:
        latest = found.assessment.response.self_report.latest
    return {
        "self_grades": patient_grade_choices(),
        "my_latest_grade": latest,
        "washout": washout_explained(knowledge, found.levels if found else None),
        "can_get_pregnant": found is not None and found.timeline.patient.can_get_pregnant,
    }
