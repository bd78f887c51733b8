"""Dose progress of a real course: how much isotretinoin was taken up to a date, and what is left.

``evaluate_dose(knowledge, timeline, as_of)`` walks the calendar one day at a time from the
course's start to ``as_of`` (or the recorded last dose), so months of 28-31 days, pauses, missed
days and dose changes land on their real dates. Rules of counting (also in docs/decisions.md):

- Day 1 and the last dose come from :func:`treatment_period`, shared by every engine: day 1 is
  the earliest ``course_start`` (or, with none recorded, the first dispense, an inferred start
  the output labels ``course_start_basis: first_dispense``); ``course_end`` is the last day a
  dose was taken. Only the current course counts (``engines/courses.py``: a restart after the
  second-course wait starts from zero); a shorter gap takes no dose (counted as paused).
- The daily dose on a day is set by the latest ``prescription`` or ``dose_change`` on or before
  it. A prescription takes effect on its first dispense, when the capsules reach the patient; one
  never dispensed has no effect (in a course without any dispense record, it takes effect on the
  day it was written). A prescription's ``regimen`` repeats from then.
- No dose is taken from a ``pause`` date until the ``resume`` date, nor on ``dose_missed`` days;
  a missed dose is skipped, never doubled.
- Supply: when the course records any ``dispense`` (at any date), a dose is counted only while
  dispensed days of supply remain (each dose taken uses one day; paused and missed days use
  none). A course with no dispense recorded is counted as prescribed, and the output says so
  (``supply_checked`` false).
- mg/kg is computed two ways: each day's mg over the weight in effect that day (the default) and
  the whole total over the latest weight. A day with no weight on or before it makes the first
  unknown; no latest weight makes the second unknown. Nothing is guessed.
- The target comes from the ``target_mg_per_kg`` argument when given, otherwise from the
  timeline policy's position on the ``cumulative_target`` disagreement.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

from isotrack.domain.events import (
    Dispensed,
    DoseMissed,
    TreatmentPaused,
    TreatmentResumed,
    WeightMeasured,
)
from isotrack.domain.timeline import Timeline, events_of
from isotrack.engines.courses import current_course_events
from isotrack.engines.dose_report import (
    DoseProgress,
    DoseStatus,
    DoseTarget,
    ProgressByWeight,
    WeightBasis,
)
from isotrack.engines.dose_settings import (
    DoseSetting,
    cumulative_target,
    dose_settings,
    dose_sources,
    not_started_progress,
    setting_on,
)
from isotrack.engines.dose_walk import DoseWalk, at_least, walk_course
from isotrack.engines.plan_warnings import EQUIVALENCE_FACTS
from isotrack.engines.treatment_period import treatment_period
from isotrack.knowledge import Knowledge

__all__ = ["DoseProgress", "DoseTarget", "ProgressByWeight", "evaluate_dose"]


def evaluate_dose(
    knowledge: Knowledge,
    timeline: Timeline,
    as_of: dt.date,
    target_mg_per_kg: float | None = None,
) -> DoseProgress:
    """Cumulative dose of the course up to and including ``as_of``, and what remains."""
    recorded = current_course_events(knowledge, timeline, as_of)
    events = [e for e in recorded if e.date <= as_of]
    reasons: list[str] = []
    target, target_reason = cumulative_target(knowledge, timeline, target_mg_per_kg)
    if target_reason:
        reasons.append(target_reason)
    weights = events_of(events, WeightMeasured)
    latest_weight = weights[-1].weight_kg if weights else None
    if latest_weight is None:
        reasons.append("no weight recorded on or before the as-of date")

    period = treatment_period(recorded, as_of)
    reasons.extend(period.notes)
    if period.start is None:
        return not_started_progress(knowledge, as_of, target, latest_weight, reasons, period)
    start = period.start
    end = period.end
    if period.start_is_inferred:
        reasons.append(
            "doses are counted from the inferred first dose: if treatment began later, the true "
            "cumulative dose is lower"
        )
    # Later dispenses are read too (they add no dose): supply tracking never depends on as_of.
    course_events = recorded

    settings = dose_settings(course_events)
    dispenses = events_of(course_events, Dispensed)
    supply_checked = bool(dispenses)
    if not supply_checked:
        reasons.append("no dispense recorded: doses are counted as prescribed, not as supplied")
    missed: set[dt.date] = set()
    for miss in events_of(course_events, DoseMissed):
        missed.update(miss.date + dt.timedelta(days=i) for i in range(miss.days))
    pauses = {e.date: True for e in events_of(course_events, TreatmentPaused)}
    pauses.update({e.date: False for e in events_of(course_events, TreatmentResumed)})

    last_day = min(as_of, end) if end is not None else as_of
    walk = walk_course(period, last_day, settings, weights, dispenses, missed, pauses, target)
    if walk.dose_unknown_on is not None:
        reasons.append(
            f"no prescription or dose change sets the dose on {walk.dose_unknown_on.isoformat()}: "
            "the cumulative dose is unknown"
        )

    if walk.days_without_supply:
        reasons.append(
            f"{walk.days_without_supply} course days had no dispensed supply left; no dose is "
            "counted on them"
        )
    current = setting_on(settings, as_of)
    current_mg = current.mean_mg if current is not None else None
    if end is not None and end <= as_of:
        status: DoseStatus = "ended"
    elif walk.paused:
        status = "paused"
    else:
        status = "on_treatment"
    cumulative_mg = walk.total_mg if walk.dose_unknown_on is None else None

    can_project = status == "on_treatment" and current_mg is not None and current_mg > 0
    if not can_project and status != "ended":
        reasons.append(f"no end date projected: treatment is {status.replace('_', ' ')}")
    at_dose_date = _by_weight(
        "weight_at_dose_date",
        walk.total_mg_per_kg if walk.weight_unknown_on is None else None,
        walk,
        target,
        latest_weight,
        as_of,
        current_mg if can_project else None,
        walk.reached_by_dose_date,
        _unknown_weight_reason(walk),
    )
    latest = _by_weight(
        "latest_weight",
        walk.total_mg / latest_weight if latest_weight else None,
        walk,
        target,
        latest_weight,
        as_of,
        current_mg if can_project else None,
        _reached_with_latest(walk, latest_weight, target),
        None if latest_weight else "no weight recorded on or before the as-of date",
    )
    if cumulative_mg is None:
        at_dose_date, latest = _unknown(at_dose_date), _unknown(latest)
    equivalent = _equivalent(knowledge, settings, walk, latest_weight, cumulative_mg)
    reasons.extend(_cumulative_bases(knowledge, settings, equivalent))
    return DoseProgress(
        taken_mg_by_day=walk.mg_by_day,
        status=status,
        as_of=as_of,
        course_start=start,
        course_start_basis=period.start_basis,
        course_end=end,
        days_since_start=(as_of - start).days,
        days_taken=walk.days_taken,
        days_missed=walk.days_missed,
        days_paused=walk.days_paused,
        days_without_supply=walk.days_without_supply,
        supply_checked=supply_checked,
        supply_days_left=walk.supply_days if supply_checked else None,
        product=current.product if current is not None else None,
        current_daily_dose_mg=current_mg,
        cumulative_mg=cumulative_mg,
        latest_weight_kg=latest_weight,
        default_weight_basis="weight_at_dose_date",
        by_weight_at_dose_date=at_dose_date,
        by_latest_weight=latest,
        cumulative_mg_per_kg=at_dose_date.cumulative_mg_per_kg,
        average_mg_per_kg_per_day=at_dose_date.average_mg_per_kg_per_day,
        remaining_mg=at_dose_date.remaining_mg,
        projected_end_date=at_dose_date.projected_end_date,
        conventional_equivalent_mg_per_kg=equivalent,
        target=target,
        reasons=reasons,
        source_ids=dose_sources(knowledge, target, settings, walk.days_missed),
    )


def _unknown_weight_reason(walk: DoseWalk) -> str | None:
    if walk.weight_unknown_on is None:
        return None
    return f"no weight recorded on or before {walk.weight_unknown_on.isoformat()}, a dose date"


def _reached_with_latest(
    walk: DoseWalk, latest_weight: float | None, target: DoseTarget | None
) -> dt.date | None:
    if latest_weight is None or target is None:
        return None
    running = 0.0
    for day, dose_mg in walk.mg_by_day:
        running += dose_mg
        if at_least(running / latest_weight, target.low_mg_per_kg):
            return day
    return None


def _by_weight(
    basis: WeightBasis,
    cumulative_mg_per_kg: float | None,
    walk: DoseWalk,
    target: DoseTarget | None,
    latest_weight: float | None,
    as_of: dt.date,
    current_mg: float | None,
    reached_on: dt.date | None,
    unknown_reason: str | None,
) -> ProgressByWeight:
    average = (
        cumulative_mg_per_kg / walk.days_taken
        if cumulative_mg_per_kg is not None and walk.days_taken
        else None
    )
    remaining_per_kg = remaining_mg = projected = None
    if cumulative_mg_per_kg is not None and target is not None:
        remaining_per_kg = max(0.0, target.low_mg_per_kg - cumulative_mg_per_kg)
        if latest_weight is not None:
            remaining_mg = remaining_per_kg * latest_weight
            if current_mg is not None and remaining_mg > 0:
                projected = as_of + dt.timedelta(days=math.ceil(remaining_mg / current_mg))
    return ProgressByWeight(
        basis=basis,
        cumulative_mg_per_kg=cumulative_mg_per_kg,
        average_mg_per_kg_per_day=average,
        remaining_mg_per_kg=remaining_per_kg,
        remaining_mg=remaining_mg,
        target_reached_on=reached_on,
        projected_end_date=projected,
        unknown_reason=unknown_reason,
    )


def _unknown(progress: ProgressByWeight) -> ProgressByWeight:
    return ProgressByWeight(
        basis=progress.basis,
        cumulative_mg_per_kg=None,
        average_mg_per_kg_per_day=None,
        remaining_mg_per_kg=None,
        remaining_mg=None,
        target_reached_on=None,
        projected_end_date=None,
        unknown_reason="the daily dose is unknown on some course day",
    )


def _equivalent(
    knowledge: Knowledge,
    settings: Sequence[DoseSetting],
    walk: DoseWalk,
    latest_weight: float | None,
    cumulative_mg: float | None,
) -> float | None:
    """Cumulative mg/kg in conventional-capsule terms, when a non-equivalent product was used."""
    products = {s.product for s in settings}
    used = [p for p in products if p in EQUIVALENCE_FACTS]
    if not used or cumulative_mg is None or not latest_weight:
        return None
    ratio = knowledge.number(EQUIVALENCE_FACTS[used[0]])
    converted = walk.total_mg - walk.equivalent_mg + walk.equivalent_mg / ratio
    return converted / latest_weight


def _cumulative_bases(
    knowledge: Knowledge, settings: Sequence[DoseSetting], equivalent: float | None
) -> list[str]:
    """What the cumulative figure means for each product used that states its basis."""
    found: list[str] = []
    for product_id in sorted({s.product for s in settings if s.product}):
        product = knowledge.products.get(product_id)
        if product is None or not product.cumulative_dose_basis:
            continue
        text = f"{product.name}: {product.cumulative_dose_basis}"
        if equivalent is not None:
            text += f"; in conventional-capsule terms about {equivalent:.1f} mg/kg"
        found.append(text + ".")
    return found
