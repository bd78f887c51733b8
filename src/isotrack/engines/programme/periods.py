"""Calendar arithmetic for programme periods given as facts (days, weeks, months, years).

A month is a calendar month: 1 month after 31 January is the last day of February. This is
how a patient reads "one month after the last dose", and it never lands earlier than 28 days.
"""

from __future__ import annotations

import calendar
import datetime as dt

from isotrack.knowledge.model import Fact


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole calendar months, clamped to the end of a shorter month."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
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
        return add_months(day, 12 * whole)
    raise ValueError(f"fact {period.id!r}: unit {period.unit!r} is not a calendar period")


def describe(period: Fact) -> str:
    """'1 month', '7 days': a period fact as a person says it."""
    if period.value is None:
        return period.id
    amount = int(period.value) if period.value == int(period.value) else period.value
    unit = period.unit if amount == 1 else f"{period.unit}s"
    return f"{amount} {unit}"
