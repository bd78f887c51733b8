"""The warnings of a course plan, each with a code, a severity, a message and its sources.

Every threshold is a knowledge-base fact or a product's labelled range. Warnings are ordered
most serious first, then in the order the rules below are written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from itertools import pairwise
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict

from isotrack.domain.timeline import completed_years
from isotrack.engines.periods import add_months
from isotrack.engines.regimen import RegimenChoice
from isotrack.knowledge import Knowledge
from isotrack.knowledge.model import FoodInstruction, Product
from isotrack.knowledge.programme import ProgrammeRule, RuleKind

if TYPE_CHECKING:
    from isotrack.engines.plan_request import Phase, PhasePlan, PlanRequest

Severity = Literal["info", "caution", "warning"]
_SEVERITY_ORDER: dict[str, int] = {"warning": 0, "caution": 1, "info": 2}


# Products whose mg are not conventional mg, and the fact giving the conversion ratio
# (product mg = ratio x conventional mg when both are taken with food).
EQUIVALENCE_FACTS: dict[str, str] = {"absorica-ld": "dosing.absorica_ld_to_absorica_ratio"}

COURSE_LENGTH_US = "dosing.course_length_us_weeks"
COURSE_LENGTH_EU = "dosing.course_length_eu_weeks"
# One fact for the UK age limit, shared with the programme engine's rule UK-U18-01.
UK_TWO_PRESCRIBER_AGE = "programme.uk.two_prescriber_age_below"


class PlanWarning(BaseModel):
    """Something the prescriber should see, with the rule's source."""

    model_config = ConfigDict(frozen=True)

    code: str
    severity: Severity
    message: str
    source_ids: list[str]


def market_course_length(knowledge: Knowledge, product: Product) -> tuple[str, float, float]:
    """The labelled usual course length (fact id, low weeks, high weeks) for a product's market."""
    fact_id = COURSE_LENGTH_US if "US" in product.markets else COURSE_LENGTH_EU
    low, high = knowledge.bounds(fact_id)
    return fact_id, low, high


def plan_warnings(
    knowledge: Knowledge,
    request: PlanRequest,
    product: Product,
    phases: list[PhasePlan],
    choices: list[RegimenChoice],
    max_capsules: int,
    projected_days: int | None,
) -> list[PlanWarning]:
    """All warnings for a plan, most serious first."""
    found: list[PlanWarning] = []

    def warn(code: str, severity: Severity, message: str, *source_ids: str) -> None:
        found.append(
            PlanWarning(
                code=code,
                severity=severity,
                message=message,
                source_ids=sorted(dict.fromkeys(source_ids)),
            )
        )

    _dose_rules(knowledge, product, phases, warn)
    _regimen_rules(knowledge, product, phases, choices, max_capsules, warn)
    _patient_rules(knowledge, request, product, phases, warn)
    _product_rules(knowledge, request, product, phases, warn)
    _course_rules(knowledge, request, product, projected_days, warn)
    return sorted(found, key=lambda w: _SEVERITY_ORDER[w.severity])


Warn = Callable[..., None]


def _dose_rules(
    knowledge: Knowledge, product: Product, phases: list[PhasePlan], warn: Warn
) -> None:
    threshold_fact = knowledge.fact("dosing.high_dose_threshold_mg_per_kg_day")
    threshold = knowledge.number(threshold_fact.id)
    lowest, _ = knowledge.bounds("dosing.lowest_effective_mg_per_kg_day")
    lowest_sources = knowledge.fact("dosing.lowest_effective_mg_per_kg_day").source_ids
    low_dose_sources = knowledge.fact("dosing.low_dose_mg_per_kg_day").source_ids
    for phase in phases:
        # The upper checks see the larger and the lower checks the smaller of what was asked
        # for and what the capsules deliver, so neither a capped nor a rounded dose hides a risk.
        dose = max(phase.requested_mg_per_kg_per_day, phase.mg_per_kg_per_day)
        low_dose = min(phase.requested_mg_per_kg_per_day, phase.mg_per_kg_per_day)
        label = f"phase {phase.index + 1}: {dose:.2f} mg/kg/day"
        low_label = f"phase {phase.index + 1}: {low_dose:.2f} mg/kg/day"
        if dose > product.max_mg_per_kg_day:
            warn(
                "above_label_maximum",
                "warning",
                f"{label} is above {product.name}'s labelled maximum of "
                f"{product.max_mg_per_kg_day:g} mg/kg/day.",
                *product.source_ids,
            )
        if dose > threshold:
            warn(
                "above_1_mg_per_kg",
                "caution",
                f"{label} is above {threshold:g} mg/kg/day, the top of the usual range; labels "
                "keep higher doses for very severe, scarring or mainly truncal acne.",
                *threshold_fact.source_ids,
            )
        elif dose > product.usual_high_mg_per_kg_day:
            warn(
                "above_usual_range",
                "caution",
                f"{label} is above {product.name}'s usual range "
                f"({product.usual_low_mg_per_kg_day:g}-{product.usual_high_mg_per_kg_day:g}).",
                *product.source_ids,
            )
        if low_dose < lowest:
            warn(
                "below_lowest_effective",
                "caution",
                f"{low_label} is below {lowest:g} mg/kg/day, the lowest daily dose with reported "
                "benefit.",
                *lowest_sources,
            )
        elif low_dose < product.usual_low_mg_per_kg_day:
            warn(
                "low_dose_regimen",
                "info",
                f"{low_label} is a low-dose regimen, below {product.name}'s usual "
                f"{product.usual_low_mg_per_kg_day:g} mg/kg/day: low doses work, but in the "
                "label's dose-ranging study they needed retreatment more often.",
                *low_dose_sources,
                *lowest_sources,
            )


def _regimen_rules(
    knowledge: Knowledge,
    product: Product,
    phases: list[PhasePlan],
    choices: list[RegimenChoice],
    max_capsules: int,
    warn: Warn,
) -> None:
    decisions = knowledge.fact("planner.default_max_capsules_per_day").source_ids
    pattern_fact = knowledge.fact("planner.max_pattern_days")
    max_pattern_days = knowledge.number(pattern_fact.id)
    intermittent = knowledge.fact("dosing.intermittent_dosing").source_ids
    for phase, choice in zip(phases, choices, strict=True):
        label = f"phase {phase.index + 1}"
        if choice.capped_by_capsule_limit:
            warn(
                "dose_capped_by_capsule_limit",
                "warning",
                f"{label}: {choice.target_mg:g} mg a day needs more than {max_capsules} "
                f"capsules of {product.name}; the plan gives {choice.upper_mg:g} mg. Raise the "
                "capsule limit or choose a product with larger capsules.",
                *decisions,
            )
        if choice.includes_days_without_capsule:
            warn(
                "days_without_capsule",
                "caution",
                f"{label}: {choice.target_mg:g} mg a day is less than the smallest "
                f"{product.name} capsule, so the pattern leaves some days without a dose; "
                "intermittent dosing did worse in trials.",
                *intermittent,
            )
        if not choice.exact and not choice.capped_by_capsule_limit:
            warn(
                "pattern_not_exact",
                "info",
                f"{label}: no repeating pattern of up to {max_pattern_days:g} days gives exactly "
                f"{choice.target_mg:g} mg a day; the mean is {choice.mean_mg:.2f} mg "
                f"({phase.deviation_mg_per_kg_per_day:+.3f} mg/kg/day).",
                *pattern_fact.source_ids,
            )


def _patient_rules(
    knowledge: Knowledge,
    request: PlanRequest,
    product: Product,
    phases: list[PhasePlan],
    warn: Warn,
) -> None:
    minimum_fact = knowledge.fact("dosing.minimum_age_years")
    minimum = knowledge.number(minimum_fact.id)
    if request.birth_date is not None:
        age: int | None = completed_years(request.birth_date, request.start)
    else:
        age = request.age_years
    if age is None:
        warn(
            "age_unknown",
            "info",
            f"No birth date or age was given, so the minimum age of {minimum:g} years was not "
            "checked.",
            *minimum_fact.source_ids,
        )
    elif age < minimum:
        warn(
            "under_minimum_age",
            "warning",
            f"The patient is {age} at the start; isotretinoin is not indicated below "
            f"{minimum:g} years or for prepubertal acne.",
            *minimum_fact.source_ids,
        )
    uk_fact = knowledge.fact(UK_TWO_PRESCRIBER_AGE)
    if (
        age is not None
        and "UK" in product.markets
        and age < knowledge.number(uk_fact.id)
        and _two_prescriber_rule_in_force(knowledge, request.start)
    ):
        warn(
            "uk_two_prescribers",
            "info",
            f"In the UK, a patient under {knowledge.number(uk_fact.id):g} needs two independent "
            "prescribers to agree that no other effective treatment is suitable.",
            *uk_fact.source_ids,
        )
    renal_fact = knowledge.fact("dosing.renal_start_mg_per_day")
    renal_start = knowledge.number(renal_fact.id)
    if request.severe_renal_impairment and phases[0].daily_dose_mg > renal_start:
        warn(
            "renal_start_dose",
            "warning",
            f"Severe renal insufficiency: start at {renal_start:g} mg a day and titrate up, not "
            f"at {phases[0].daily_dose_mg:g} mg.",
            *renal_fact.source_ids,
        )


def _two_prescriber_rule_in_force(knowledge: Knowledge, start: dt.date) -> bool:
    """Whether the UK two-prescriber rule applies to a course starting on ``start``.

    The programme rule (UK-U18-01) owns the dates; without any such rule on record the planner
    keeps warning rather than assume the safeguard has gone.
    """
    rules = [
        rule
        for rule in knowledge.records("programme_rule", ProgrammeRule).values()
        if rule.kind is RuleKind.TWO_PRESCRIBERS_UNDER_AGE
    ]
    return not rules or any(rule.in_force_on(start) for rule in rules)


def _product_rules(
    knowledge: Knowledge,
    request: PlanRequest,
    product: Product,
    phases: list[PhasePlan],
    warn: Warn,
) -> None:
    if not product.marketed:
        warn(
            "not_marketed",
            "caution",
            f"{product.name} is no longer marketed; plan with a product the pharmacy can supply.",
            *product.source_ids,
        )
    if product.food is FoodInstruction.WITH_FOOD:
        warn(
            "take_with_food",
            "info",
            f"{product.name} must be taken with a meal: fasting roughly halves how much is "
            "absorbed. Before raising the dose of a non-responder, check it is taken with food.",
            *product.source_ids,
        )
    else:
        warn(
            "food_optional",
            "info",
            f"{product.name} may be taken with or without food.",
            *product.source_ids,
        )
    if not product.interchangeable_with_conventional:
        message = f"{product.name} is not interchangeable mg for mg with other isotretinoin "
        message += f"products. {product.equivalence_note}"
        sources = list(product.source_ids)
        if product.id in EQUIVALENCE_FACTS:
            ratio_fact = knowledge.fact(EQUIVALENCE_FACTS[product.id])
            equivalent = phases[0].daily_dose_mg / knowledge.number(ratio_fact.id)
            message += (
                f" {phases[0].daily_dose_mg:g} mg a day corresponds to about {equivalent:g} mg "
                "of a conventional or Lidose capsule taken with food."
            )
            sources += ratio_fact.source_ids
        warn("not_interchangeable", "warning", message.strip(), *sources)
    if product.contains_soybean_oil:
        warn(
            "contains_soybean_oil",
            "info",
            f"{product.name} contains soybean oil: ask about soya and peanut allergy.",
            *product.source_ids,
        )
    twice_fact = knowledge.fact("dosing.us_doses_per_day")
    if "US" in product.markets and not request.split_doses:
        warn(
            "us_divided_doses",
            "info",
            f"US labels give the daily dose in {knowledge.number(twice_fact.id):g} divided doses "
            "and advise against once-daily dosing; plan with split doses to follow them.",
            *twice_fact.source_ids,
        )


def _course_rules(
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
