"""The day-by-day walk behind a course's cumulative dose (the rules are in ``dose.py``).

One pass over the calendar from the first dose: each day is paused, missed, without supply, of
unknown dose, or taken at the dose in force, and a taken day adds its mg (and mg over that day's
weight) to running totals, in date order. The dose setting and the weight change only on the
dates of the records that set them, so they are looked up on those dates, not every day.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from isotrack.domain.events import Dispensed, WeightMeasured
from isotrack.engines.dose_report import DoseTarget
from isotrack.engines.dose_settings import DoseSetting, setting_on, weight_on
from isotrack.engines.plan_warnings import EQUIVALENCE_FACTS
from isotrack.engines.treatment_period import TreatmentPeriod

_ONE_DAY = dt.timedelta(days=1)


@dataclass
class DoseWalk:
    """Running totals of the day-by-day walk."""

    total_mg: float = 0.0
    total_mg_per_kg: float | None = 0.0  # with the weight of each dose date
    equivalent_mg: float = 0.0
    days_taken: int = 0
    days_missed: int = 0
    days_paused: int = 0
    days_without_supply: int = 0
    dose_unknown_on: dt.date | None = None
    weight_unknown_on: dt.date | None = None
    supply_days: int = 0
    paused: bool = False
    reached_by_dose_date: dt.date | None = None
    mg_by_day: list[tuple[dt.date, float]] = field(default_factory=list)


def at_least(value: float, bound: float) -> bool:
    return value >= bound or math.isclose(value, bound)


def walk_course(
    period: TreatmentPeriod,
    last_day: dt.date,
    settings: Sequence[DoseSetting],
    weights: Sequence[WeightMeasured],
    dispenses: Sequence[Dispensed],
    missed: set[dt.date],
    pauses: Mapping[dt.date, bool],
    target: DoseTarget | None,
) -> DoseWalk:
    """Walk every day from the first dose (``period.start``) to ``last_day``."""
    start = period.start
    walk = DoseWalk()
    if start is None:
        return walk
    supply_checked = bool(dispenses)
    supplied: dict[dt.date, int] = {}
    for dispense in dispenses:
        if dispense.date < start:
            walk.supply_days += dispense.days_supply
        else:
            supplied[dispense.date] = supplied.get(dispense.date, 0) + dispense.days_supply
    changes = sorted({s.effective for s in settings} | {w.date for w in weights})
    target_mg_per_kg = target.low_mg_per_kg if target is not None else None

    # Running totals live in locals for the loop and are written back once at the end; each
    # sum takes its terms in the same (date) order as a day-by-day addition would.
    supply_days, paused = walk.supply_days, walk.paused
    total_mg, per_kg, equivalent_mg = 0.0, walk.total_mg_per_kg, 0.0
    taken = missed_days = paused_days = without_supply = 0
    dose_unknown_on = weight_unknown_on = reached = None
    mg_by_day = walk.mg_by_day
    next_change = 0
    setting: DoseSetting | None = None
    weight: float | None = None
    day = start
    while day <= last_day:
        if day in pauses:
            paused = pauses[day]
        if supplied:
            supply_days += supplied.get(day, 0)
        if period.breaks and period.in_break(day):
            paused_days += 1  # between a last dose and a recorded restart
        elif paused:
            paused_days += 1
        elif day in missed:
            missed_days += 1
        elif supply_checked and supply_days <= 0:
            without_supply += 1
        else:
            if next_change < len(changes) and changes[next_change] <= day:
                setting, weight = setting_on(settings, day), weight_on(weights, day)
                next_change = bisect.bisect_right(changes, day)
            if setting is None:
                dose_unknown_on = dose_unknown_on or day
            else:
                pattern = setting.pattern_mg
                dose_mg = pattern[0] if len(pattern) == 1 else setting.dose_on(day, start)
                supply_days -= supply_checked
                taken += 1
                total_mg += dose_mg
                mg_by_day.append((day, dose_mg))
                if setting.product in EQUIVALENCE_FACTS:
                    equivalent_mg += dose_mg
                if weight is None:
                    weight_unknown_on = weight_unknown_on or day
                    per_kg = None
                elif per_kg is not None:
                    per_kg += dose_mg / weight
                    if (
                        target_mg_per_kg is not None
                        and reached is None
                        and at_least(per_kg, target_mg_per_kg)
                    ):
                        reached = day
        day += _ONE_DAY

    walk.supply_days, walk.paused = supply_days, paused
    walk.total_mg, walk.total_mg_per_kg, walk.equivalent_mg = total_mg, per_kg, equivalent_mg
    walk.days_taken, walk.days_missed = taken, missed_days
    walk.days_paused, walk.days_without_supply = paused_days, without_supply
    walk.dose_unknown_on, walk.weight_unknown_on = dose_unknown_on, weight_unknown_on
    walk.reached_by_dose_date = reached
    return walk
