"""The plan warnings about the course as a whole: its phases, its length, a second course."""

from __future__ import annotations

import datetime as dt
from itertools import pairwise
from typing import TYPE_CHECKING

from isotrack.engines.periods import add_months
from isotrack.engines.plan_warning_base import Warn, market_course_length
from isotrack.knowledge import Knowledge
from isotrack.knowledge.model import Product

if TYPE_CHECKING:
    from isotrack.engines.plan_request import Phase, PlanRequest


def course_rules(
    knowledge: Knowledge,
    request: PlanRequest,
    product: Product,
    projected_days: int | None,
    warn: Warn,
) -> None:
    label_fact = knowledge.fact("dosing.cumulative_target_label_mg_per_kg")
    label_low, label_high = knowledge.bounds(label_fact.id)
    high_fact = knowledge.fact("dosing.cumulative_target_high_mg_per_kg")
    target = request.target_mg_per_kg
    if target is None and not request.treat_to_clearance:
        warn(
            "no_cumulative_target",
            "info",
            "No cumulative target was chosen. Sources differ: "
            f"{label_low:g}-{label_high:g} mg/kg (labels), at least "
            f"{knowledge.number(high_fact.id):g} mg/kg (lower relapse in one cohort), or treat "
            "until clear without a fixed total.",
            *label_fact.source_ids,
            *high_fact.source_ids,
        )
    elif target is None:
        warn(
            "treat_to_clearance",
            "info",
            "Treat to clearance: the course has no projected end date; it continues until the "
            "skin is clear and then for a further period the prescriber decides.",
            *_position_sources(knowledge, "cumulative_target", "treat_to_clearance"),
        )
    elif target < label_low:
        warn(
            "target_below_label_range",
            "info",
            f"A target of {target:g} mg/kg is below the labelled {label_low:g}-{label_high:g} "
            "mg/kg band; relapse is more likely at lower totals.",
            *label_fact.source_ids,
        )
    elif target > label_high:
        warn(
            "target_above_label_range",
            "info",
            f"A target of {target:g} mg/kg is above the labelled {label_low:g}-{label_high:g} "
            "mg/kg band, past which labels expect little extra benefit; one cohort saw less "
            f"relapse at {knowledge.number(high_fact.id):g} mg/kg or more.",
            *label_fact.source_ids,
            *high_fact.source_ids,
        )
    if projected_days is not None:
        _course_length_rule(knowledge, product, projected_days, warn)
    if request.phases is not None:
        _phase_rules(knowledge, request.phases, projected_days, warn)
    _second_course_rule(knowledge, request, product, warn)


def _position_sources(knowledge: Knowledge, disagreement_id: str, position_id: str) -> list[str]:
    """The sources of one position, or isotrack's decisions page if the base lacks it."""
    disagreement = knowledge.disagreements.get(disagreement_id)
    if disagreement is None:
        return ["isotrack-decisions"]
    try:
        return list(disagreement.position(position_id).source_ids)
    except KeyError:
        return ["isotrack-decisions"]


def _phase_rules(
    knowledge: Knowledge, phases: list[Phase], projected_days: int | None, warn: Warn
) -> None:
    planned_days = sum(dt.timedelta(weeks=p.weeks).days for p in phases if p.weeks is not None)
    open_ended = phases[-1].weeks is None
    sources = knowledge.fact("dosing.cumulative_target_label_mg_per_kg").source_ids
    if projected_days is not None and not open_ended and projected_days > planned_days:
        warn(
            "last_phase_extended",
            "info",
            f"The phases cover {planned_days} days but the target needs {projected_days}; the "
            "last phase continues until the target is reached.",
            *sources,
        )
    elif projected_days is not None and projected_days < planned_days:
        warn(
            "target_reached_before_phases_end",
            "info",
            f"The target is reached on day {projected_days}, before the planned phases end "
            f"(day {planned_days}); the plan stops there.",
            *sources,
        )
    doses = [p.mg_per_kg_per_day for p in phases]
    if any(later < earlier for earlier, later in pairwise(doses)):
        taper = knowledge.fact("dosing.taper")
        warn(
            "taper_no_evidence",
            "info",
            "The plan lowers the dose in a later phase. No label requires a taper and no "
            "retrieved study shows that one changes relapse.",
            *taper.source_ids,
        )


def _course_length_rule(
    knowledge: Knowledge, product: Product, projected_days: int, warn: Warn
) -> None:
    fact_id, low_weeks, high_weeks = market_course_length(knowledge, product)
    sources = knowledge.fact(fact_id).source_ids
    weeks = projected_days / dt.timedelta(weeks=1).days
    if projected_days > dt.timedelta(weeks=high_weeks).days:
        warn(
            "course_longer_than_label",
            "info",
            f"The projected course ({weeks:.1f} weeks) is longer than the usual "
            f"{low_weeks:g}-{high_weeks:g} weeks in the label.",
            *sources,
        )
    elif projected_days < dt.timedelta(weeks=low_weeks).days:
        warn(
            "course_shorter_than_label",
            "info",
            f"The projected course ({weeks:.1f} weeks) is shorter than the usual "
            f"{low_weeks:g}-{high_weeks:g} weeks in the label.",
            *sources,
        )


def _second_course_rule(
    knowledge: Knowledge, request: PlanRequest, product: Product, warn: Warn
) -> None:
    previous_end = request.previous_course_end
    if previous_end is None:
        return None
    us_fact = knowledge.fact("dosing.second_course_wait_us_months")
    eu_fact = knowledge.fact("dosing.second_course_wait_eu_weeks")
    if "US" in product.markets:
        months = int(knowledge.number(us_fact.id))
        earliest = add_months(previous_end, months)
        rule, sources = f"{months} months", us_fact.source_ids
    else:
        weeks = knowledge.number(eu_fact.id)
        earliest = previous_end + dt.timedelta(weeks=weeks)
        rule, sources = f"{weeks:g} weeks", eu_fact.source_ids
    if request.start < earliest:
        warn(
            "second_course_too_soon",
            "warning",
            f"A second course needs at least {rule} without the drug after the last course "
            f"(ended {previous_end.isoformat()}); the earliest start is {earliest.isoformat()}. "
            "Acne can keep improving for weeks after stopping.",
            *sources,
            *eu_fact.source_ids,
        )
    relapse = knowledge.fact("dosing.relapse_repeat_course")
    warn(
        "second_course",
        "info",
        "Second course: the EU/UK label repeats the first course's daily and cumulative dose.",
        *relapse.source_ids,
    )
