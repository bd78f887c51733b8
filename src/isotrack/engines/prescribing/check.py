"""Order entry: a draft prescription checked against the facts before it is stored.

Three kinds of answer, all from knowledge: ``field_errors`` refuse the draft (a days' supply
above the policy's maximum, refills the policy does not allow, a date after today, a product or
dose that does not exist); ``requires_review`` lists the clinical holds an ``alert_review``
must answer in the same action; ``warnings`` are shown before signing (a dose the strengths
cannot make exactly, a dose above the usual or the labelled maximum mg/kg/day, a programme
requirement that will block the dispense).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field

from isotrack.domain.events import AlertReviewed, PrescriptionWritten, WeightMeasured
from isotrack.domain.timeline import Timeline, effective_events, events_of
from isotrack.engines.course_events import category_on
from isotrack.engines.monitoring.hold_models import ClinicalHold
from isotrack.engines.monitoring.holds import clinical_safety
from isotrack.engines.programme import decide_dispense
from isotrack.engines.programme.policy import active_policy
from isotrack.engines.regimen import RegimenDay, choose_regimen
from isotrack.knowledge import Knowledge
from isotrack.knowledge.model import Product
from isotrack.knowledge.programme import RuleKind

HIGH_DOSE_FACT = "dosing.high_dose_threshold_mg_per_kg_day"
SECOND_CONFIRMATION_FACT = "dosing.severe_disease_max_mg_per_kg_day"
MAX_CAPSULES_FACT = "planner.default_max_capsules_per_day"
MAX_PATTERN_FACT = "planner.max_pattern_days"


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class FieldError(Frozen):
    """A field of the draft that cannot be signed, with what would be allowed."""

    field: str
    value: str
    message: str
    source_ids: list[str] = Field(default_factory=list)


class PrescribingWarning(Frozen):
    """Shown before signing; ``needs_second_confirmation`` asks the prescriber twice."""

    code: str
    message: str
    needs_second_confirmation: bool = False
    source_ids: list[str] = Field(default_factory=list)


class PrescriptionCheck(Frozen):
    """The order-entry answer: may this draft be signed as it stands?"""

    accepted: bool
    field_errors: list[FieldError]
    requires_review: list[ClinicalHold]
    warnings: list[PrescribingWarning]
    regimen: list[RegimenDay] | None = Field(
        default=None, description="the capsules per day that will be used when not exact"
    )


def check_prescription(
    knowledge: Knowledge,
    timeline: Timeline,
    draft: PrescriptionWritten,
    today: dt.date,
    reviews: Sequence[AlertReviewed] = (),
) -> PrescriptionCheck:
    """Check ``draft`` (not yet on the timeline) on ``today``; ``reviews`` come with it."""
    errors: list[FieldError] = []
    warnings: list[PrescribingWarning] = []
    if draft.date > today:
        errors.append(FieldError(field="date", value=draft.date.isoformat(),
                                 message=f"A prescription cannot be dated after today "
                                 f"({today.isoformat()})."))  # fmt: skip
    errors.extend(_policy_limits(knowledge, timeline, draft))
    product = knowledge.products.get(draft.product)
    regimen: list[RegimenDay] | None = None
    if product is None:
        known = ", ".join(sorted(knowledge.products))
        errors.append(FieldError(field="product", value=draft.product,
                                 message=f"No such product; known products: {known}."))  # fmt: skip
    else:
        dose_errors, dose_warnings, regimen = _dose(knowledge, product, draft)
        errors.extend(dose_errors)
        warnings.extend(dose_warnings)
        warnings.extend(_mg_per_kg(knowledge, timeline, draft))
    answered = {r.alert_id for r in reviews}
    holds = clinical_safety(knowledge, timeline, today).clinical_holds
    unanswered = [h for h in holds if h.alert_id not in answered]
    if not errors:
        warnings.extend(_programme(knowledge, timeline, draft))
    return PrescriptionCheck(
        accepted=not errors and not unanswered,
        field_errors=errors,
        requires_review=unanswered,
        warnings=warnings,
        regimen=regimen,
    )


def _policy_limits(
    knowledge: Knowledge, timeline: Timeline, draft: PrescriptionWritten
) -> list[FieldError]:
    policy = active_policy(knowledge, timeline.policy)
    can_get_pregnant = category_on(timeline, effective_events(timeline))[0]
    errors: list[FieldError] = []
    supply_rules = policy.rules(RuleKind.MAX_SUPPLY, can_get_pregnant)
    if supply_rules:
        limit = policy.count("max_days_supply")
        if draft.days_supply > limit:
            errors.append(FieldError(
                field="days_supply", value=str(draft.days_supply),
                message=f"At most {limit} days' supply under {policy.id}.",
                source_ids=list(supply_rules[0].source_ids)))  # fmt: skip
    refill_rules = policy.rules(RuleKind.NO_REFILLS, can_get_pregnant)
    if refill_rules:
        allowed = policy.count("max_refills")
        if draft.refills > allowed:
            errors.append(FieldError(
                field="refills", value=str(draft.refills),
                message=f"At most {allowed} refills under {policy.id}.",
                source_ids=list(refill_rules[0].source_ids)))  # fmt: skip
    return errors


def _dose(
    knowledge: Knowledge, product: Product, draft: PrescriptionWritten
) -> tuple[list[FieldError], list[PrescribingWarning], list[RegimenDay] | None]:
    errors: list[FieldError] = []
    if draft.regimen is not None:
        odd = sorted({c.strength_mg for day in draft.regimen for c in day.capsules}
                     - set(product.strengths_mg))  # fmt: skip
        if odd:
            errors.append(FieldError(
                field="regimen", value=", ".join(f"{s:g} mg" for s in odd),
                message=f"{product.name} comes in "
                f"{', '.join(f'{s:g}' for s in product.strengths_mg)} mg only.",
                source_ids=list(product.source_ids)))  # fmt: skip
        return errors, [], None
    choice = choose_regimen(
        draft.daily_dose_mg,
        product.strengths_mg,
        int(knowledge.number(MAX_CAPSULES_FACT)),
        int(knowledge.number(MAX_PATTERN_FACT)),
    )
    if choice.capped_by_capsule_limit:
        errors.append(FieldError(
            field="daily_dose_mg", value=f"{draft.daily_dose_mg:g}",
            message=f"{draft.daily_dose_mg:g} mg a day cannot be given with "
            f"{product.name} ({', '.join(f'{s:g}' for s in product.strengths_mg)} mg capsules) "
            f"within {knowledge.number(MAX_CAPSULES_FACT):g} capsules a day.",
            source_ids=list(knowledge.fact(MAX_CAPSULES_FACT).source_ids)))  # fmt: skip
        return errors, [], None
    if choice.exact and len(choice.days) == 1:
        return errors, [], None
    pattern = "; ".join(f"day {i + 1}: {d.dose_mg:g} mg" for i, d in enumerate(choice.days))
    warning = PrescribingWarning(
        code="DOSE_NOT_EXACT",
        message=f"{product.name} cannot make exactly {draft.daily_dose_mg:g} mg a day; this "
        f"regimen will be used (average {choice.mean_mg:.4g} mg a day): {pattern}.",
        source_ids=list(product.source_ids),
    )
    return errors, [warning], list(choice.days)


def _mg_per_kg(
    knowledge: Knowledge, timeline: Timeline, draft: PrescriptionWritten
) -> list[PrescribingWarning]:
    weights = [w for w in events_of(effective_events(timeline), WeightMeasured)
               if w.date <= draft.date]  # fmt: skip
    if not weights:
        unknown = "No weight is recorded, so the dose per kilogram cannot be checked."
        return [PrescribingWarning(code="WEIGHT_UNKNOWN", message=unknown)]
    weight_kg = weights[-1].weight_kg
    per_kg = draft.daily_dose_mg / weight_kg
    second = knowledge.number(SECOND_CONFIRMATION_FACT)
    high = knowledge.number(HIGH_DOSE_FACT)
    said = f"{draft.daily_dose_mg:g} mg a day is {per_kg:.2f} mg/kg/day at {weight_kg:g} kg"
    if per_kg > second:
        return [PrescribingWarning(
            code="DOSE_ABOVE_MAXIMUM",
            message=f"{said}, above the labelled maximum of {second:g} mg/kg/day: confirm twice.",
            needs_second_confirmation=True,
            source_ids=list(knowledge.fact(SECOND_CONFIRMATION_FACT).source_ids))]  # fmt: skip
    if per_kg > high:
        return [PrescribingWarning(
            code="DOSE_ABOVE_USUAL",
            message=f"{said}, above the usual {high:g} mg/kg/day (reserved for very severe "
            "disease).",
            source_ids=list(knowledge.fact(HIGH_DOSE_FACT).source_ids))]  # fmt: skip
    return []


def _programme(
    knowledge: Knowledge, timeline: Timeline, draft: PrescriptionWritten
) -> list[PrescribingWarning]:
    """What the programme would refuse if this prescription were presented the day it is dated."""
    decision = decide_dispense(knowledge, timeline.with_event(draft), draft.date, draft.id)
    return [
        PrescribingWarning(
            code="PROGRAMME_WILL_BLOCK",
            message=f"The dispense will be refused until this is met: {reason.message}",
            source_ids=list(reason.source_ids),
        )
        for reason in decision.reasons
    ]
