"""The course's biology through the service: estimated drug levels and who assessed the acne.

Drug levels are explanation only (docs/decisions.md, decisions 9 and 16). Who assessed an acne
assessment is never taken from the caller: a patient's assessment is a self-report and a
clinician's is the prescriber's (decision 17), so a self-report can never pass for a
prescriber's grade, whatever the request says.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from isotrack.domain.errors import FieldProblem, IsotrackInputError
from isotrack.domain.timeline import Timeline
from isotrack.engines.assessment import Assessment, assess
from isotrack.engines.pk.report import PkReport, course_report, product_report
from isotrack.service.access import Action, require
from isotrack.service.context import Service
from isotrack.service.courses import visible_course
from isotrack.store.users import Role, User

FOODS = ("fed", "fasted")
# Bounds of the request, not clinical facts: they keep one answer small enough to draw.
MAX_DAYS = 366
MAX_DOSES_PER_DAY = 4
MAX_DOSE_MG = 1000.0


def assessor_of(user: User) -> Literal["prescriber", "patient"]:
    """Who an acne assessment recorded by ``user`` is from."""
    return "patient" if user.role is Role.PATIENT else "prescriber"


def stamp_assessor(user: User, event_json: dict[str, Any]) -> dict[str, Any]:
    """The event with ``assessed_by`` set from the signed-in role (other events unchanged)."""
    if event_json.get("type") != "acne_assessment":
        return event_json
    return {**event_json, "assessed_by": assessor_of(user)}


def _bad(field: str, value: object, allowed: str, summary: str) -> IsotrackInputError:
    return IsotrackInputError([FieldProblem("query", field, value, allowed)], summary)


def _food(food: str) -> Literal["fed", "fasted"]:
    if food not in FOODS:
        raise _bad("food", food, "fed or fasted", "unknown meal state")
    return "fed" if food == "fed" else "fasted"


def product_levels(
    service: Service,
    user: User,
    *,
    product: str,
    dose_mg: float,
    food: str = "fed",
    days: int | None = None,
    doses_per_day: int = 1,
    policy: str = "us-ipledge-2026",
) -> PkReport:
    """Estimated levels after one dose of ``product`` (or daily doses for ``days`` days)."""
    require(user, Action.READ_FACTS)
    knowledge = service.knowledge()
    if product not in knowledge.products:
        raise _bad(
            "product", product, "one of: " + ", ".join(sorted(knowledge.products)),
            "unknown product",
        )  # fmt: skip
    if not 0 < dose_mg <= MAX_DOSE_MG:
        raise _bad(
            "dose_mg", dose_mg, f"more than 0 and at most {MAX_DOSE_MG:g}", "dose out of range"
        )
    if days is not None and not 1 <= days <= MAX_DAYS:
        raise _bad("days", days, f"1 to {MAX_DAYS}", "days out of range")
    if not 1 <= doses_per_day <= MAX_DOSES_PER_DAY:
        raise _bad("doses_per_day", doses_per_day, f"1 to {MAX_DOSES_PER_DAY}", "out of range")
    if policy not in knowledge.policies:
        raise _bad(
            "policy", policy, "one of: " + ", ".join(sorted(knowledge.policies)),
            "unknown policy",
        )  # fmt: skip
    return product_report(knowledge, product, dose_mg, _food(food), days, doses_per_day, policy)


def _doses_per_day(doses_per_day: int) -> int:
    if not 1 <= doses_per_day <= MAX_DOSES_PER_DAY:
        raise _bad("doses_per_day", doses_per_day, f"1 to {MAX_DOSES_PER_DAY}", "out of range")
    return doses_per_day


def course_levels(
    service: Service,
    user: User,
    course_id: str,
    as_of: dt.date | None = None,
    *,
    food: str = "fed",
    doses_per_day: int = 2,
) -> PkReport | None:
    """Estimated levels over the doses the course counts up to ``as_of`` (None before any),
    and the washout after the latest of them."""
    _doses_per_day(doses_per_day)
    meal = _food(food)
    course = visible_course(service, user, course_id)
    day = as_of or service.today()
    return course_report(service.knowledge(), course.timeline(), day, meal, doses_per_day)


@dataclass(frozen=True)
class CourseBiology:
    """What the pages draw of a course's biology: the timeline, every engine's assessment (its
    ``response`` and ``dose``), and the estimated levels over the counted doses (None before)."""

    timeline: Timeline
    assessment: Assessment
    levels: PkReport | None


def course_biology(
    service: Service,
    user: User,
    course_id: str,
    as_of: dt.date | None = None,
    *,
    food: str = "fed",
    doses_per_day: int = 2,
) -> CourseBiology:
    """The course's biology; the levels for the meal state and the intakes a day asked for
    (default: with a meal, twice a day, as the labels advise)."""
    meal = _food(food)
    intakes = _doses_per_day(doses_per_day)
    course = visible_course(service, user, course_id)
    day = as_of or service.today()
    knowledge = service.knowledge()
    timeline = course.timeline()
    return CourseBiology(
        timeline,
        assess(knowledge, timeline, day),
        course_report(knowledge, timeline, day, meal, intakes),
    )
