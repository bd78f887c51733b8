"""What the course records about its dose: the daily dose in force on each day, the weights, the
cumulative target of the policy, the sources, and the report of a course not yet started."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from isotrack.domain.events import (
    CoursePlanned,
    Dispensed,
    DoseChanged,
    EventBase,
    PrescriptionWritten,
    WeightMeasured,
)
from isotrack.domain.timeline import Timeline, effective_events, events_of
from isotrack.engines.dose_report import (
    CUMULATIVE_TARGET,
    MG_PER_KG,
    MISSED_DOSE,
    DoseProgress,
    DoseStatus,
    DoseTarget,
    ProgressByWeight,
)
from isotrack.engines.plan_warnings import EQUIVALENCE_FACTS
from isotrack.engines.treatment_period import TreatmentPeriod
from isotrack.knowledge import Knowledge


@dataclass(frozen=True)
class DoseSetting:
    """A daily dose in force from ``effective``: a plain mg amount or a repeating pattern."""

    effective: dt.date
    pattern_mg: tuple[float, ...]
    product: str | None

    def dose_on(self, day: dt.date, course_start: dt.date) -> float:
        origin = max(self.effective, course_start)
        return self.pattern_mg[(day - origin).days % len(self.pattern_mg)]

    @property
    def mean_mg(self) -> float:
        return math.fsum(self.pattern_mg) / len(self.pattern_mg)


def dose_settings(events: Sequence[EventBase]) -> list[DoseSetting]:
    first_dispense: dict[str, dt.date] = {}
    for dispense in events_of(events, Dispensed):
        first_dispense.setdefault(dispense.prescription_id, dispense.date)
    settings: list[tuple[dt.date, int, DoseSetting]] = []
    product: str | None = None
    supply_checked = bool(first_dispense)
    for order, event in enumerate(events):
        if isinstance(event, PrescriptionWritten):
            if supply_checked and event.id not in first_dispense:
                continue  # not yet in the patient's hands
            product = event.product
            effective = first_dispense.get(event.id, event.date)
            pattern = (
                tuple(day.dose_mg for day in event.regimen)
                if event.regimen
                else (event.daily_dose_mg,)
            )
            settings.append((effective, order, DoseSetting(effective, pattern, product)))
        elif isinstance(event, DoseChanged):
            setting = DoseSetting(event.date, (event.daily_dose_mg,), product)
            settings.append((event.date, order, setting))
    return [s for _, _, s in sorted(settings, key=lambda item: (item[0], item[1]))]


def setting_on(settings: Sequence[DoseSetting], day: dt.date) -> DoseSetting | None:
    current = None
    for setting in settings:
        if setting.effective <= day:
            current = setting
    return current


def weight_on(weights: Sequence[WeightMeasured], day: dt.date) -> float | None:
    current = None
    for weight in weights:
        if weight.date <= day:
            current = weight.weight_kg
    return current


def cumulative_target(
    knowledge: Knowledge, timeline: Timeline, target_mg_per_kg: float | None
) -> tuple[DoseTarget | None, str | None]:
    if target_mg_per_kg is not None:
        target = DoseTarget(
            origin="argument",
            policy=None,
            position_id=None,
            low_mg_per_kg=target_mg_per_kg,
            high_mg_per_kg=target_mg_per_kg,
            source_ids=[],
        )
        return target, None
    plans = events_of(effective_events(timeline), CoursePlanned)
    if plans:
        # The course follows the plan the prescriber saved last (issue 17).
        plan = plans[-1]
        if plan.target_mg_per_kg is None:
            return None, (
                f"the plan saved on {plan.date.isoformat()} sets no cumulative total, so "
                "nothing remains to count down to"
            )
        target = DoseTarget(
            origin="saved plan",
            policy=None,
            position_id=None,
            low_mg_per_kg=plan.target_mg_per_kg,
            high_mg_per_kg=plan.target_mg_per_kg,
            source_ids=[],
        )
        return target, None
    policy_id = timeline.policy
    if policy_id not in knowledge.policies:
        return None, f"policy {policy_id!r} is not in the knowledge base, so no target is known"
    try:
        disagreement, position_id = knowledge.chosen_position(policy_id, CUMULATIVE_TARGET)
    except KeyError:
        return None, f"policy {policy_id!r} takes no position on the cumulative target"
    position = disagreement.position(position_id)
    low = position.low if position.low is not None else position.value
    high = position.high if position.high is not None else position.value
    if position.unit != MG_PER_KG or low is None or high is None:
        return None, (
            f"policy {policy_id!r} follows {position_id!r}: no fixed cumulative total, so "
            "nothing remains to count down to"
        )
    target = DoseTarget(
        origin="policy",
        policy=policy_id,
        position_id=position_id,
        low_mg_per_kg=low,
        high_mg_per_kg=high,
        source_ids=list(position.source_ids),
    )
    return target, None


def dose_sources(
    knowledge: Knowledge,
    target: DoseTarget | None,
    settings: Sequence[DoseSetting],
    days_missed: int,
) -> list[str]:
    found: set[str] = set(target.source_ids) if target is not None else set()
    for product_id in {s.product for s in settings if s.product}:
        if product_id in EQUIVALENCE_FACTS:
            found.update(knowledge.fact(EQUIVALENCE_FACTS[product_id]).source_ids)
    if days_missed:
        # A missed dose is skipped, not doubled: that is why missed days add nothing.
        found.update(knowledge.fact(MISSED_DOSE).source_ids)
    return sorted(found)


def not_started_progress(
    knowledge: Knowledge,
    as_of: dt.date,
    target: DoseTarget | None,
    latest_weight: float | None,
    reasons: list[str],
    period: TreatmentPeriod,
) -> DoseProgress:
    # A recorded last dose without any start (no course_start, no dispense) means treatment
    # happened and is over, but how much was taken is unknown; otherwise nothing was taken yet.
    ended = period.end is not None
    status: DoseStatus = "ended" if ended else "not_started"
    if ended:
        reasons.append("no course_start or dispense is recorded: the cumulative dose is unknown")
    else:
        reasons.append("no course_start on or before the as-of date")
    zero: float | None = None if ended else 0.0
    empty = [
        ProgressByWeight(
            basis=basis,
            cumulative_mg_per_kg=zero,
            average_mg_per_kg_per_day=None,
            remaining_mg_per_kg=target.low_mg_per_kg if target and not ended else None,
            remaining_mg=(
                target.low_mg_per_kg * latest_weight
                if target and latest_weight and not ended
                else None
            ),
            target_reached_on=None,
            projected_end_date=None,
            unknown_reason="the course has not started" if not ended else reasons[-1],
        )
        for basis in ("weight_at_dose_date", "latest_weight")
    ]
    return DoseProgress(
        status=status,
        as_of=as_of,
        course_start=None,
        course_start_basis=None,
        course_end=period.end,
        days_since_start=None,
        days_taken=0,
        days_missed=0,
        days_paused=0,
        days_without_supply=0,
        supply_checked=False,
        supply_days_left=None,
        product=None,
        current_daily_dose_mg=None,
        cumulative_mg=zero,
        latest_weight_kg=latest_weight,
        default_weight_basis="weight_at_dose_date",
        by_weight_at_dose_date=empty[0],
        by_latest_weight=empty[1],
        cumulative_mg_per_kg=zero,
        average_mg_per_kg_per_day=None,
        remaining_mg=empty[0].remaining_mg,
        projected_end_date=None,
        conventional_equivalent_mg_per_kg=None,
        target=target,
        reasons=reasons,
        source_ids=dose_sources(knowledge, target, [], 0),
    )
