"""The patient's calendar file: all-day events, windows, alarms, stable identifiers."""

from __future__ import annotations

import datetime as dt

from icalendar import Calendar

from isotrack.interop.ical import CalendarEntry, course_calendar

STAMP = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)


def _calendar(entries: list[CalendarEntry], days_before: int = 2) -> Calendar:
    text = course_calendar(
        course_id="c-1", calendar_name="My course", entries=entries, generated_at=STAMP,
        alarm_days_before=days_before, language="es",
    )  # fmt: skip
    return Calendar.from_ical(text)


PICK_UP = CalendarEntry(
    "dispense.window|2026-01-10", dt.date(2026, 1, 10), dt.date(2026, 1, 16),
    "Recoja sus cápsulas", "Entre el 10 y el 16 de enero", "Recoja sus cápsulas",
)  # fmt: skip


def test_a_pick_up_window_spans_its_days_with_an_exclusive_end() -> None:
    # Window from 10 to 16 January inclusive: iCalendar DTEND is the day after, 17 January.
    (event,) = _calendar([PICK_UP]).walk("VEVENT")
    assert event.get("dtstart").dt == dt.date(2026, 1, 10)
    assert event.get("dtend").dt == dt.date(2026, 1, 17)
    assert str(event.get("summary")) == "Recoja sus cápsulas"
    assert event.get("summary").params["LANGUAGE"] == "es"


def test_the_alarm_rings_the_configured_number_of_days_before_the_first_day() -> None:
    (event,) = _calendar([PICK_UP], days_before=3).walk("VEVENT")
    (alarm,) = event.walk("VALARM")
    assert alarm.get("action") == "DISPLAY"
    assert alarm.get("trigger").dt == -dt.timedelta(days=3)
    assert alarm.get("trigger").params["RELATED"] == "START"


def test_an_entry_without_alarm_text_has_no_alarm() -> None:
    quiet = CalendarEntry("x|2026-02-01", dt.date(2026, 2, 1), dt.date(2026, 2, 1), "x", "x")
    (event,) = _calendar([quiet]).walk("VEVENT")
    assert event.walk("VALARM") == []


def test_uids_follow_the_key_not_the_words_so_a_language_change_does_not_duplicate() -> None:
    english = CalendarEntry(
        PICK_UP.key, PICK_UP.first_day, PICK_UP.last_day, "Pick up", "Between", "Pick up"
    )
    uids = [str(e.get("uid")) for e in _calendar([PICK_UP, english]).walk("VEVENT")]
    assert uids[0] == uids[1]
    other_day = CalendarEntry(
        "dispense.window|2026-02-10", dt.date(2026, 2, 10), dt.date(2026, 2, 16), "a", "b"
    )
    assert str(_calendar([other_day]).walk("VEVENT")[0].get("uid")) != uids[0]
