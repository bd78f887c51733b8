"""The patient's course calendar as iCalendar (RFC 5545), built with the ``icalendar`` library.

Each schedule item becomes an all-day event: a single day, or a window spanning several days
(for example the days a prescription may be picked up). Event UIDs are derived from the item,
so a calendar app that re-reads the subscription updates events instead of duplicating them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from typing import Protocol

from icalendar import Calendar, Event

PRODUCT_ID = "-//isotrack//course calendar//EN"


class CalendarItem(Protocol):
    """What the calendar needs of a schedule item (``engines.schedule`` items fit)."""

    @property
    def date(self) -> dt.date | None: ...

    @property
    def window_start(self) -> dt.date | None: ...

    @property
    def window_end(self) -> dt.date | None: ...

    @property
    def who(self) -> str: ...

    @property
    def what(self) -> str: ...

    @property
    def requirement_id(self) -> str | None: ...


def _span(item: CalendarItem) -> tuple[dt.date, dt.date] | None:
    """First and last day of an item, or None when it has no date at all."""
    if item.date is not None:
        return item.date, item.date
    start = item.window_start or item.window_end
    end = item.window_end or item.window_start
    if start is None or end is None:
        return None
    return start, end


def item_uid(course_id: str, item: CalendarItem, first: dt.date) -> str:
    """A stable identifier: the same requirement on the same day keeps its UID."""
    key = f"{course_id}|{item.requirement_id or ''}|{item.what}|{first.isoformat()}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32] + "@isotrack"


def course_calendar(
    *,
    course_id: str,
    calendar_name: str,
    items: Iterable[CalendarItem],
    generated_at: dt.datetime,
) -> bytes:
    """An iCalendar file of every dated schedule item of one course.

    ``generated_at`` is the DTSTAMP of each event (passed in so this function stays pure).
    """
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", calendar_name)
    stamp = generated_at.astimezone(dt.UTC)
    for item in items:
        span = _span(item)
        if span is None:
            continue
        first, last = span
        event = Event()
        event.add("uid", item_uid(course_id, item, first))
        event.add("dtstamp", stamp)
        event.add("dtstart", first)
        # All-day DTEND is exclusive in iCalendar, hence the day after the last day.
        event.add("dtend", last + dt.timedelta(days=1))
        summary = item.what if first == last else f"{item.what} (window)"
        event.add("summary", summary)
        description = f"Who: {item.who}."
        if first != last:
            description += f" From {first.isoformat()} to {last.isoformat()} inclusive."
        if item.requirement_id:
            description += f" Requirement: {item.requirement_id}."
        event.add("description", description)
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    ical: bytes = calendar.to_ical()
    return ical
