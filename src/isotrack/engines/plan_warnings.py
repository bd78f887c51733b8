"""The warnings of a course plan, each with a code, a severity, a message and its sources.

Every threshold is a knowledge-base fact or a product's labelled range. Warnings are ordered
most serious first, then in the order the rules below are written.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from isotrack.domain.timeline import completed_years
from isotrack.engines.plan_course_warnings import course_rules
from isotrack.engines.plan_warning_base import (
    _SEVERITY_ORDER,
    COURSE_LENGTH_EU,
    COURSE_LENGTH_US,
    EQUIVALENCE_FACTS,
    UK_TWO_PRESCRIBER_AGE,
    PlanWarning,
    Severity,
    Warn,
    market_course_length,
)
from isotrack.engines.regimen import RegimenChoice
from isotrack.knowledge import Knowledge
from isotrack.knowledge.model import FoodInstruction, Product
from isotrack.knowledge.programme import ProgrammeRule, RuleKind

if TYPE_CHECKING:
    from isotrack.engines.plan_request import PhasePlan, PlanRequest


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
    course_rules(knowledge, request, product, projected_days, warn)
    return sorted(found, key=lambda w: _SEVERITY_ORDER[w.severity])


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


__all__ = [
    "COURSE_LENGTH_EU",
    "COURSE_LENGTH_US",
    "EQUIVALENCE_FACTS",
    "UK_TWO_PRESCRIBER_AGE",
    "_SEVERITY_ORDER",
    "PlanWarning",
    "Severity",
    "market_course_length",
    "plan_warnings",
]
