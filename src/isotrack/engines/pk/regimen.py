"""Doses in time: a planned regular regimen, or the doses a course's timeline shows were taken."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from dataclasses import dataclass

import numpy as np

from isotrack.domain.events import PrescriptionWritten
from isotrack.domain.timeline import Timeline, effective_events, events_of
from isotrack.engines.dose import DoseProgress, evaluate_dose
from isotrack.engines.pk.kernel import Array
from isotrack.knowledge import Knowledge
from isotrack.knowledge.pk import Food

HOURS_PER_DAY = dt.timedelta(days=1) // dt.timedelta(hours=1)


@dataclass(frozen=True)
class Dose:
    """One intake: hours from midnight of the first dosing day, mg, product, fed or fasted."""

    time_h: float
    dose_mg: float
    product_id: str
    food: Food


def clock_hours(knowledge: Knowledge, doses_per_day: int) -> list[float]:
    """Assumed clock hours of the day's doses: from the morning hour, evenly spaced."""
    if doses_per_day < 1:
        raise ValueError(f"doses_per_day: {doses_per_day} is not allowed; use 1 or more")
    morning = knowledge.number("pk.dose_clock_morning_h")
    spacing = HOURS_PER_DAY / doses_per_day
    return [morning + i * spacing for i in range(doses_per_day)]


def planned_doses(
    knowledge: Knowledge,
    product_id: str,
    dose_mg: float,
    food: Food,
    days: int,
    doses_per_day: int,
) -> list[Dose]:
    """``doses_per_day`` doses of ``dose_mg`` each day for ``days`` days."""
    if days < 1:
        raise ValueError(f"days: {days} is not allowed; use 1 or more")
    if dose_mg <= 0:
        raise ValueError(f"dose_mg: {dose_mg} is not allowed; a dose is more than 0 mg")
    knowledge.product(product_id)
    hours = clock_hours(knowledge, doses_per_day)
    return [
        Dose(day * HOURS_PER_DAY + hour, dose_mg, product_id, food)
        for day in range(days)
        for hour in hours
    ]


@dataclass(frozen=True)
class CourseIntakes:
    """A course's counted doses as arrays, one pair per (product, food) in time order: what the
    curves sum over, without an object per intake (a six-month course has hundreds)."""

    first_day: dt.date | None
    groups: dict[tuple[str, Food], tuple[Array, Array]]  # (time_h, dose_mg)
    last_product: str | None  # the product of the latest intake
    last_time_h: float


def course_intakes(
    knowledge: Knowledge,
    timeline: Timeline,
    as_of: dt.date,
    food: Food,
    doses_per_day: int,
    progress: DoseProgress | None = None,
) -> CourseIntakes:
    """The intakes :func:`course_doses` lists, as arrays grouped by product and food."""
    first_day, days = _counted_days(knowledge, timeline, as_of, progress)
    hours = np.array(clock_hours(knowledge, doses_per_day))
    groups: dict[tuple[str, Food], tuple[Array, Array]] = {}
    for product in sorted({product for _, _, product in days}):
        mine = [(offset, mg) for offset, mg, each in days if each == product]
        offsets = np.array([offset for offset, _ in mine], dtype=np.float64)
        per_intake = np.array([mg for _, mg in mine], dtype=np.float64) / doses_per_day
        time_h: Array = (offsets[:, None] + hours[None, :]).ravel()
        dose_mg: Array = np.repeat(per_intake, hours.size)
        groups[(product, food)] = (time_h, dose_mg)
    if not days:
        return CourseIntakes(first_day, groups, None, 0.0)
    last_time_h = max(float(time_h.max()) for time_h, _ in groups.values())
    return CourseIntakes(first_day, groups, days[-1][2], last_time_h)


def course_doses(
    knowledge: Knowledge,
    timeline: Timeline,
    as_of: dt.date,
    food: Food,
    doses_per_day: int,
    progress: DoseProgress | None = None,
) -> tuple[dt.date | None, list[Dose]]:
    """The first dosing day and the doses counted by the dose engine up to ``as_of``.

    Each counted day's mg is split evenly over ``doses_per_day`` intakes at the assumed clock
    hours; the product is the one of the latest prescription written on or before that day.
    ``progress`` is the dose engine's answer for the same course and day when the caller has it
    already; otherwise the dose engine runs here.
    """
    first_day, days = _counted_days(knowledge, timeline, as_of, progress)
    hours = clock_hours(knowledge, doses_per_day)
    doses = [
        Dose(offset + hour, mg / doses_per_day, product, food)
        for offset, mg, product in days
        for hour in hours
    ]
    return first_day, doses


def _counted_days(
    knowledge: Knowledge, timeline: Timeline, as_of: dt.date, progress: DoseProgress | None
) -> tuple[dt.date | None, list[tuple[int, float, str]]]:
    """The first dosing day, and per counted day (hours from the first day's midnight, mg of
    the day, product); a day with no product known is left out."""
    if progress is None:
        progress = evaluate_dose(knowledge, timeline, as_of)
    taken = progress.taken_mg_by_day
    if not taken:
        return None, []
    # Effective events are in date order, so the prescription in force on a day is found by
    # bisection over the dates written.
    prescriptions = events_of(effective_events(timeline), PrescriptionWritten)
    written_on = [prescription.date for prescription in prescriptions]
    first_day = taken[0][0]
    days: list[tuple[int, float, str]] = []
    for day, mg in taken:
        written = bisect_right(written_on, day)
        product = (prescriptions[written - 1].product if written else None) or progress.product
        if product is not None:
            days.append(((day - first_day).days * HOURS_PER_DAY, mg, product))
    return first_day, days
