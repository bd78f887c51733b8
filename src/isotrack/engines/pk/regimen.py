"""Doses in time: a planned regular regimen, or the doses a course's timeline shows were taken."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from isotrack.domain.events import PrescriptionWritten
from isotrack.domain.timeline import Timeline, effective_events, events_of
from isotrack.engines.dose import DoseProgress, evaluate_dose
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
    already (``assess`` does); otherwise the dose engine runs here.
    """
    if progress is None:
        progress = evaluate_dose(knowledge, timeline, as_of)
    taken = progress.taken_mg_by_day
    if not taken:
        return None, []
    prescriptions = events_of(effective_events(timeline), PrescriptionWritten)
    first_day = taken[0][0]
    hours = clock_hours(knowledge, doses_per_day)
    doses: list[Dose] = []
    for day, mg in taken:
        product = _product_on(prescriptions, day) or progress.product
        if product is None:
            continue
        offset = (day - first_day).days * HOURS_PER_DAY
        doses.extend(Dose(offset + hour, mg / doses_per_day, product, food) for hour in hours)
    return first_day, doses


def _product_on(prescriptions: list[PrescriptionWritten], day: dt.date) -> str | None:
    current = None
    for prescription in prescriptions:
        if prescription.date <= day:
            current = prescription.product
    return current
