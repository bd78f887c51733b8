"""The patient's calendar file: all-day events, windows, stable identifiers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from icalendar import Calendar

from isotrack.interop.ical import course_calendar


@dataclass(frozen=True)
class Item:
    date: dt.date | None
    window_start: dt.date | None
    window_end: dt.date | None
    who: str
    what: str
    requirement_id: str | None


STAMP = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)


def _events(items: list[Item]) -> list[dict[str, object]]:
    text = course_calendar(
        course_id="c-1", calendar_name="My course", items=items, generated_at=STAMP
    )
    calendar = Calendar.from_ical(text)
    return [
        {k: component.get(k) for k in ("uid", "summary", "dtstart", "dtend")}
        for component in calendar.walk("VEVENT")
    ]


def test_a_pick_up_window_spans_its_days_with_an_exclusive_end() -> None:
    # Window from 10 to 16 January inclusive: iCalendar DTEND is the day after, 17 January.
    events = _events(
        [Item(None, dt.date(2026, 1, 10), dt.date(2026, 1, 16), "patient", "Pick up", "rx")]
    )
    assert len(events) == 1
    assert events[0]["dtstart"].dt == dt.date(2026, 1, 10)  # type: ignore[attr-defined]
    assert events[0]["dtend"].dt == dt.date(2026, 1, 17)  # type: ignore[attr-defined]
    assert str(events[0]["summary"]) == "Pick up (window)"


def test_uids_are_stable_so_a_resubscribed_calendar_does_not_duplicate() -> None:
    item = Item(dt.date(2026, 2, 1), None, None, "patient", "Pregnancy test", "pt-monthly")
    assert _events([item])[0]["uid"] == _events([item])[0]["uid"]


def test_an_item_without_any_date_is_left_out_rather_than_guessed() -> None:
    assert _events([Item(None, None, None, "patient", "Sometime", None)]) == []
