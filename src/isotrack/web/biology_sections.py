"""What the course page and the patient's page add for the course's biology (their templates
include ``_course_biology.html`` and ``_my_biology.html``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
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
from isotrack.web.i18n import Speaker
from isotrack.web.washout_explained import washout_explained

UNAVAILABLE = "The response and drug-level sections could not be drawn for this course."
# What the drug-level section can be redrawn for: how the capsules are taken.
MEALS = (("fed", "with a meal"), ("fasted", "without food"))
INTAKES = tuple(range(1, biology.MAX_DOSES_PER_DAY + 1))
DEFAULT_MEAL, DEFAULT_INTAKES = "fed", 2


@dataclass(frozen=True)
class LevelsChoice:
    """The meal state and intakes a day the levels are drawn for, and any choice refused."""

    meal: str = DEFAULT_MEAL
    intakes: int = DEFAULT_INTAKES
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def words(self) -> str:
        meal = dict(MEALS)[self.meal]
        times = "once" if self.intakes == 1 else f"{self.intakes} times"
        return f"Drawn for capsules taken {meal}, {times} a day."


def levels_choice(query: Mapping[str, str]) -> LevelsChoice:
    """Read ``meal`` and ``intakes`` from the page's address; a value that is not allowed is
    named next to its field and the default is drawn instead."""
    errors: dict[str, str] = {}
    meal = query.get("meal", DEFAULT_MEAL)
    if meal not in dict(MEALS):
        errors["meal"] = "choose with a meal or without food"
        meal = DEFAULT_MEAL
    raw = query.get("intakes", str(DEFAULT_INTAKES))
    intakes = int(raw) if raw.isdigit() else 0
    if intakes not in INTAKES:
        errors["intakes"] = f"choose {INTAKES[0]} to {INTAKES[-1]} intakes a day"
        intakes = DEFAULT_INTAKES
    return LevelsChoice(meal, intakes, errors)


def _load(
    service: Service, user: User, course_id: str, day: dt.date, choice: LevelsChoice | None = None
) -> biology.CourseBiology | None:
    choice = choice or LevelsChoice()
    try:
        return biology.course_biology(
            service, user, course_id, day, food=choice.meal, doses_per_day=choice.intakes
        )
    except (IsotrackInputError, KeyError, ValueError):
        return None


def course_biology_context(
    knowledge: Knowledge,
    service: Service,
    user: User,
    course_id: str,
    day: dt.date,
    query: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The prescriber's sections: response, its chart, the assessment form, drug levels (drawn
    for the meal state and intakes a day chosen in ``query``)."""
    choice = levels_choice(query or {})
    found = _load(service, user, course_id, day, choice)
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
        "levels_choice": choice,
        "levels_meals": MEALS,
        "levels_intakes": INTAKES,
        "acne_form": form,
    }


def my_biology_context(
    knowledge: Knowledge,
    service: Service,
    user: User,
    course_id: str,
    day: dt.date,
    words: Speaker | None = None,
) -> dict[str, Any]:
    """The patient's sections, in the patient's language: a self-report form and why
    contraception lasts a month more."""
    found = _load(service, user, course_id, day)
    latest = None
    if found is not None and found.assessment.response.self_report.latest is not None:
        latest = found.assessment.response.self_report.latest
    return {
        "self_grades": patient_grade_choices(),
        "my_latest_grade": latest,
        # Her own report in the words she chose it by (the clinic's scale label otherwise).
        "my_latest_words": dict(patient_grade_choices()).get(str(latest.grade), latest.grade_label)
        if latest is not None
        else None,
        "washout": washout_explained(knowledge, found.levels if found else None, words),
        "can_get_pregnant": found is not None and found.timeline.patient.can_get_pregnant,
    }
