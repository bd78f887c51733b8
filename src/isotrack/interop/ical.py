"""The patient's course calendar as iCalendar (RFC 5545), built with the ``icalendar`` library.

Each entry becomes an all-day event: a single day, or a window spanning several days (for
example the days a prescription may be picked up), with an alarm (``VALARM``) a chosen number
of days before its first day. The words come already written in the patient's language; UIDs
come from the course and the entry's key (never its words), so a calendar app that re-reads
the subscription updates events instead of duplicating them, in whatever language.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from icalendar import Alarm, Calendar, Event

PRODUCT_ID = "-//isotrack//course calendar//EN"


@dataclass(frozen=True)
class CalendarEntry:
    """One dated thing to do, worded for the person whose calendar it is."""

    key: str  # stable: the same thing on the same day keeps its UID
    first_day: dt.date
    last_day: dt.date
    summary: str
    description: str
    alarm_text: str | None = None  # no alarm when None


def entry_uid(course_id: str, key: str) -> str:
    digest = hashlib.sha256(f"{course_id}|{key}".encode()).hexdigest()
    return digest[:32] + "@isotrack"


def course_calendar(
    *,
    course_id: str,
    calendar_name: str,
    entries: Iterable[CalendarEntry],
    generated_at: dt.datetime,
    alarm_days_before: int,
    language: str = "en",
) -> bytes:
    """An iCalendar file of the entries of one course.

    ``generated_at`` is the DTSTAMP of each event (passed in so this function stays pure).
    """
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", calendar_name)
    stamp = generated_at.astimezone(dt.UTC)
    for entry in entries:
        event = Event()
        event.add("uid", entry_uid(course_id, entry.key))
        event.add("dtstamp", stamp)
        event.add("dtstart", entry.first_day)
        # All-day DTEND is exclusive in iCalendar, hence the day after the last day.
        event.add("dtend", entry.last_day + dt.timedelta(days=1))
        event.add("summary", entry.summary, parameters={"LANGUAGE": language})
        event.add("description", entry.description, parameters={"LANGUAGE": language})
        event.add("transp", "TRANSPARENT")
        if entry.alarm_text is not None:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", entry.alarm_text)
            alarm.add("trigger", -dt.timedelta(days=alarm_days_before), parameters={
                "RELATED": "START"
            })  # fmt: skip
            event.add_component(alarm)
        calendar.add_component(event)
    ical: bytes = calendar.to_ical()
    return ical
