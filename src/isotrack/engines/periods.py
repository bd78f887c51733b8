"""Arithmetic on periods given as facts (days, weeks, months, years): the one place for it.

Two readings of a period, each where it fits:

- :func:`shift` moves a date by calendar units: 1 month after 31 January is the last day of
  February. This is how a patient reads a deadline such as "one month after the last dose",
  and it never lands earlier than 28 days. The programme rules and the planner use it.
- :func:`fact_days` turns a duration into a count of days (pint's mean month, rounded), for
  repeating intervals and windows such as "labs every 3 months" or "a 7-day grace period".
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Literal

from isotrack.knowledge import Knowledge
from isotrack.knowledge.model import Fact
from isotrack.knowledge.units import normalise_unit, unit_registry

MONTHS_PER_YEAR = len(calendar.month_name) - 1


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole calendar months, clamped to the end of a shorter month."""
    index = day.year * MONTHS_PER_YEAR + (day.month - 1) + months
    year, month = divmod(index, MONTHS_PER_YEAR)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def shift(day: dt.date, period: Fact, direction: int = 1) -> dt.date:
    """``day`` moved forward (``direction`` 1) or back (-1) by the period a fact states."""
    if period.value is None:
        raise ValueError(f"fact {period.id!r} is not a single value; cannot use it as a period")
    amount = period.value
    if amount != int(amount):
        raise ValueError(f"fact {period.id!r}: a period must be a whole number of {period.unit}s")
    whole = int(amount) * direction
    unit = period.unit.strip().lower()
    if unit in ("day", "days", "d"):
        return day + dt.timedelta(days=whole)
    if unit in ("week", "weeks"):
        return day + dt.timedelta(weeks=whole)
    if unit in ("month", "months"):
        return add_months(day, whole)
    if unit in ("year", "years"):
        return add_months(day, MONTHS_PER_YEAR * whole)
    raise ValueError(f"fact {period.id!r}: unit {period.unit!r} is not a calendar period")


def describe(period: Fact) -> str:
    """'1 month', '7 days': a period fact as a person says it."""
    if period.value is None:
        return period.id
    amount = int(period.value) if period.value == int(period.value) else period.value
    unit = period.unit if amount == 1 else f"{period.unit}s"
    return f"{amount} {unit}"


def fact_days(
    knowledge: Knowledge, fact_id: str, bound: Literal["value", "low", "high"] = "value"
) -> int:
    """A duration fact (its value, or one end of its range) as whole days, converted with pint
    once per knowledge base (the engines ask for the same few facts at every step)."""
    return knowledge.derived(
        ("periods.fact_days", fact_id, bound), lambda: _fact_days(knowledge, fact_id, bound)
    )


def _fact_days(knowledge: Knowledge, fact_id: str, bound: Literal["value", "low", "high"]) -> int:
    period = knowledge.fact(fact_id)
    amount = {"value": period.value, "low": period.low, "high": period.high}[bound]
    if amount is None:
        raise ValueError(f"fact {fact_id!r} has no {bound}; cannot read it as a duration")
    days = unit_registry().Quantity(amount, normalise_unit(period.unit)).to("day").magnitude
    return round(float(days))
