"""The course planner: from weight, product and mg/kg/day to capsules, totals and an end date.

``plan_course(knowledge, request)`` is pure. Every clinical number it uses (thresholds, ranges,
waits, limits) is read from the knowledge base by fact id; the capsule arithmetic lives in
:mod:`isotrack.engines.regimen` and the warnings in :mod:`isotrack.engines.plan_warnings`.

A plan is one or more phases (mg/kg/day for N weeks). Day 1 of the course is ``start``. The
cumulative target is either a mg/kg number (the course ends on the day the running total first
reaches it; the last phase is extended if needed), treat-to-clearance (no end date), or absent.
The top-level dose fields describe the first phase, which is what the first prescription holds.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from typing import Literal

from pydantic import BaseModel, ConfigDict

from isotrack.domain.errors import FieldProblem, IsotrackInputError
from isotrack.engines.plan_dose_limits import all_plan_warnings
from isotrack.engines.plan_request import (
    LOCATION,
    CumulativePoint,
    Phase,
    PhasePlan,
    PlanRequest,
    SupplyLine,
    parse_plan_request,
)
from isotrack.engines.plan_warnings import PlanWarning, market_course_length
from isotrack.engines.regimen import RegimenChoice, RegimenDay, choose_regimen
from isotrack.knowledge import Knowledge
from isotrack.knowledge.model import Product

__all__ = [
    "CoursePlan",
    "CumulativePoint",
    "Phase",
    "PhasePlan",
    "PlanRequest",
    "SupplyLine",
    "parse_plan_request",
    "plan_course",
]

# Fact ids read by the planner.
PLAUSIBLE_WEIGHT = "dosing.plausible_weight_kg"
DEFAULT_MAX_CAPSULES = "planner.default_max_capsules_per_day"
CAPSULES_CEILING = "planner.capsules_per_day_ceiling"
MAX_PATTERN_DAYS = "planner.max_pattern_days"
# Capsules are counted per the largest supply one prescription may cover (decision 10).
SUPPLY_PERIOD = "programme.max_days_supply"


TargetPolicy = Literal["mg_per_kg", "treat_to_clearance", "none"]


class CoursePlan(BaseModel):
    """The planner's answer. Top-level dose fields are those of the first phase."""

    model_config = ConfigDict(frozen=True)

    product: str
    product_name: str
    weight_kg: float
    start: dt.date
    split_doses: bool
    max_capsules_per_day: int
    target_mg_per_kg_per_day: float
    daily_dose_mg: float
    mg_per_kg_per_day: float
    deviation_mg_per_kg_per_day: float
    regimen: list[RegimenDay]
    supply_period_days: int
    supply_30_days: list[SupplyLine]
    phases: list[PhasePlan]
    target_policy: TargetPolicy
    target_cumulative_mg_per_kg: float | None
    target_cumulative_mg: float | None
    projected_days: int | None
    projected_end_date: dt.date | None
    projection_note: str
    cumulative: list[CumulativePoint]
    warnings: list[PlanWarning]
    source_ids: list[str]


def _refuse(field: str, value: object, allowed: str) -> IsotrackInputError:
    return IsotrackInputError([FieldProblem(LOCATION, field, value, allowed)], "cannot plan")


def _product(knowledge: Knowledge, product_id: str) -> Product:
    product = knowledge.products.get(product_id)
    if product is None:
        known = ", ".join(sorted(knowledge.products))
        raise _refuse("product", product_id, f"one of: {known}")
    return product


def _check_inputs(knowledge: Knowledge, request: PlanRequest) -> int:
    """Refuse implausible input; return the capsule limit to use."""
    low_kg, high_kg = knowledge.bounds(PLAUSIBLE_WEIGHT)
    if not low_kg <= request.weight_kg <= high_kg:
        raise _refuse(
            "weight_kg",
            request.weight_kg,
            f"a weight from {low_kg:g} to {high_kg:g} kg (outside it the weight is almost "
            "certainly mistyped; source: isotrack-decisions)",
        )
    ceiling = int(knowledge.number(CAPSULES_CEILING))
    limit = request.max_capsules_per_day or int(knowledge.number(DEFAULT_MAX_CAPSULES))
    if limit > ceiling:
        raise _refuse("max_capsules_per_day", limit, f"1 to {ceiling} capsules a day")
    return limit


def _supply(days: list[RegimenDay], period_days: int) -> list[SupplyLine]:
    counts: dict[float, int] = {}
    for day_index in range(period_days):
        for capsule in days[day_index % len(days)].capsules:
            counts[capsule.strength_mg] = counts.get(capsule.strength_mg, 0) + capsule.count
    return [SupplyLine(strength_mg=s, capsules=n) for s, n in sorted(counts.items())]


def _phase_plan(
    index: int,
    phase: Phase,
    start_date: dt.date,
    choice: RegimenChoice,
    weight_kg: float,
    period_days: int,
) -> PhasePlan:
    achieved = choice.mean_mg / weight_kg
    return PhasePlan(
        index=index,
        start_date=start_date,
        weeks=phase.weeks,
        requested_mg_per_kg_per_day=phase.mg_per_kg_per_day,
        target_daily_dose_mg=choice.target_mg,
        daily_dose_mg=choice.mean_mg,
        mg_per_kg_per_day=achieved,
        deviation_mg_per_kg_per_day=achieved - phase.mg_per_kg_per_day,
        exact=choice.exact,
        pattern_days=len(choice.days),
        regimen=list(choice.days),
        supply_30_days=_supply(list(choice.days), period_days),
    )


def _daily_doses(phases: list[PhasePlan]) -> Iterator[float]:
    """The dose of each course day in order; the last phase repeats for ever."""
    for position, phase in enumerate(phases):
        pattern = [d.dose_mg for d in phase.regimen]
        is_last = position == len(phases) - 1
        length_days = None if is_last or phase.weeks is None else phase_days(phase.weeks)
        day = 0
        while length_days is None or day < length_days:
            yield pattern[day % len(pattern)]
            day += 1


def phase_days(weeks: int) -> int:
    """Calendar days in ``weeks`` weeks."""
    return dt.timedelta(weeks=weeks).days


def _horizon_days(knowledge: Knowledge, product: Product, phases: list[Phase]) -> int:
    """How far to draw the running total when no end date can be projected."""
    if all(p.weeks is not None for p in phases):
        return sum(phase_days(p.weeks or 0) for p in phases)
    _, _, high_weeks = market_course_length(knowledge, product)
    return phase_days(math.ceil(high_weeks))


def plan_course(knowledge: Knowledge, request: PlanRequest) -> CoursePlan:
    """Plan a course: daily capsules per phase, 30-day supply, running total and end date.

    Raises :class:`IsotrackInputError` for an unknown product, a weight outside the plausible
    range, or a capsule limit above the ceiling.
    """
    product = _product(knowledge, request.product)
    max_capsules = _check_inputs(knowledge, request)
    max_pattern_days = int(knowledge.number(MAX_PATTERN_DAYS))
    period_days = int(knowledge.number(SUPPLY_PERIOD))

    phase_plans: list[PhasePlan] = []
    choices: list[RegimenChoice] = []
    phase_start = request.start
    for index, phase in enumerate(request.dose_phases()):
        choice = choose_regimen(
            target_mg=phase.mg_per_kg_per_day * request.weight_kg,
            strengths_mg=product.strengths_mg,
            max_capsules_per_day=max_capsules,
            max_pattern_days=max_pattern_days,
            split=request.split_doses,
        )
        choices.append(choice)
        phase_plans.append(
            _phase_plan(index, phase, phase_start, choice, request.weight_kg, period_days)
        )
        if phase.weeks is not None:
            phase_start += dt.timedelta(weeks=phase.weeks)

    target_policy: TargetPolicy = (
        "mg_per_kg"
        if request.target_mg_per_kg is not None
        else "treat_to_clearance"
        if request.treat_to_clearance
        else "none"
    )
    target_mg = (
        request.target_mg_per_kg * request.weight_kg
        if request.target_mg_per_kg is not None
        else None
    )
    horizon = (
        None if target_mg is not None else _horizon_days(knowledge, product, request.dose_phases())
    )
    cumulative, projected_days = _run_course(phase_plans, request, target_mg, horizon, period_days)
    projected_end = (
        request.start + dt.timedelta(days=projected_days - 1)
        if projected_days is not None
        else None
    )
    if target_policy == "mg_per_kg":
        note = (
            f"The course ends on the day the running total first reaches "
            f"{request.target_mg_per_kg:g} mg/kg ({target_mg:g} mg at {request.weight_kg:g} kg)."
        )
    elif target_policy == "treat_to_clearance":
        note = (
            "Treat to clearance: no end date is projected; the running total is shown over the "
            f"first {horizon} days."
        )
    else:
        note = (
            f"No cumulative target was chosen, so no end date is projected; the running total is "
            f"shown over the first {horizon} days."
        )

    first = phase_plans[0]
    warnings = all_plan_warnings(
        knowledge, request, product, phase_plans, choices, max_capsules, projected_days
    )
    source_ids = sorted(
        {
            *product.source_ids,
            *knowledge.fact(PLAUSIBLE_WEIGHT).source_ids,
            *knowledge.fact(MAX_PATTERN_DAYS).source_ids,
            *(s for w in warnings for s in w.source_ids),
        }
    )
    return CoursePlan(
        product=product.id,
        product_name=product.name,
        weight_kg=request.weight_kg,
        start=request.start,
        split_doses=request.split_doses,
        max_capsules_per_day=max_capsules,
        target_mg_per_kg_per_day=first.requested_mg_per_kg_per_day,
        daily_dose_mg=first.daily_dose_mg,
        mg_per_kg_per_day=first.mg_per_kg_per_day,
        deviation_mg_per_kg_per_day=first.deviation_mg_per_kg_per_day,
        regimen=first.regimen,
        supply_period_days=period_days,
        supply_30_days=first.supply_30_days,
        phases=phase_plans,
        target_policy=target_policy,
        target_cumulative_mg_per_kg=request.target_mg_per_kg,
        target_cumulative_mg=target_mg,
        projected_days=projected_days,
        projected_end_date=projected_end,
        projection_note=note,
        cumulative=cumulative,
        warnings=warnings,
        source_ids=source_ids,
    )


def _run_course(
    phases: list[PhasePlan],
    request: PlanRequest,
    target_mg: float | None,
    horizon_days: int | None,
    period_days: int,
) -> tuple[list[CumulativePoint], int | None]:
    """Walk the course day by day: running-total points and the day the target is reached."""
    points: list[CumulativePoint] = []
    total_mg = 0.0
    day = 0
    reached: int | None = None

    def point() -> CumulativePoint:
        return CumulativePoint(
            day=day,
            date=request.start + dt.timedelta(days=day - 1),
            cumulative_mg=total_mg,
            cumulative_mg_per_kg=total_mg / request.weight_kg,
        )

    for dose_mg in _daily_doses(phases):
        day += 1
        total_mg += dose_mg
        done = (
            target_mg is not None and (total_mg >= target_mg or math.isclose(total_mg, target_mg))
        ) or (horizon_days is not None and day >= horizon_days)
        if done or day % period_days == 0:
            points.append(point())
        if done:
            reached = day if target_mg is not None else None
            break
    return points, reached
