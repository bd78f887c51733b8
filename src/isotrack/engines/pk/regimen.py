"""Doses in time: a planned regular regimen, or the doses a course's timeline shows were taken."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

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
    days = _counted_days(knowledge, timeline, as_of, progress)
    hours = np.array(clock_hours(knowledge, doses_per_day))
    groups: dict[tuple[str, Food], tuple[Array, Array]] = {}
    for product in sorted(set(days.product.tolist())):
        mine = days.product == product
        time_h: Array = (days.offset_h[mine][:, None] + hours[None, :]).ravel()
        dose_mg: Array = np.repeat(days.mg[mine] / doses_per_day, hours.size)
        groups[(product, food)] = (time_h, dose_mg)
    if not groups:
        return CourseIntakes(days.first_day, groups, None, 0.0)
    last_time_h = max(float(time_h.max()) for time_h, _ in groups.values())
    return CourseIntakes(days.first_day, groups, str(days.product[-1]), last_time_h)


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
    days = _counted_days(knowledge, timeline, as_of, progress)
    hours = clock_hours(knowledge, doses_per_day)
    doses = [
        Dose(offset + hour, mg / doses_per_day, product, food)
        for offset, mg, product in zip(
            days.offset_h.tolist(), days.mg.tolist(), days.product.tolist(), strict=True
        )
        for hour in hours
    ]
    return days.first_day, doses


@dataclass(frozen=True)
class _CountedDays:
    """Per counted day with a product known: hours from the first day's midnight, mg of the
    day, and the product (the first dosing day is the first day counted)."""

    first_day: dt.date | None
    offset_h: NDArray[np.int64]
    mg: Array
    product: NDArray[np.object_]


def _counted_days(
    knowledge: Knowledge, timeline: Timeline, as_of: dt.date, progress: DoseProgress | None
) -> _CountedDays:
    if progress is None:
        progress = evaluate_dose(knowledge, timeline, as_of)
    taken = progress.taken_mg_by_day
    if not taken:
        nothing = np.zeros(0)
        return _CountedDays(None, nothing.astype(np.int64), nothing, nothing.astype(object))
    # Effective events are in date order, so the prescription in force on each day is found by
    # a sorted search over the dates written; before any, the dose engine's product.
    prescriptions = events_of(effective_events(timeline), PrescriptionWritten)
    written = np.array([p.date.toordinal() for p in prescriptions], dtype=np.int64)
    ordinals = np.array([day.toordinal() for day, _ in taken], dtype=np.int64)
    in_force = np.searchsorted(written, ordinals, side="right") - 1  # -1: none yet
    choices = [p.product or progress.product for p in prescriptions] + [progress.product]
    product = np.array(choices, dtype=object)[in_force]
    known = product != None  # noqa: E711 (element-wise on an object array)
    offset_h = (ordinals - ordinals[0]) * HOURS_PER_DAY
    mg = np.array([mg for _, mg in taken], dtype=np.float64)
    return _CountedDays(taken[0][0], offset_h[known], mg[known], product[known])
