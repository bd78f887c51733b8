"""The course's schedule in the patient's words: what to do, when, in their language.

The engines' schedule speaks to the clinic ("Dispense prescription-3 no later than ...").
Each item a patient acts on or attends is given a plain sentence here, keyed by the programme
requirement it serves; items for the clinic alone are left out, and so are items that no
longer apply (a pre-treatment test once the first capsule is taken). The home page, the
calendar and the reminder e-mails all read this one list.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from isotrack.domain.timeline import Timeline
from isotrack.engines.programme.course import CourseRecord
from isotrack.engines.schedule import ScheduleItem
from isotrack.web.i18n import N_, Speaker

StepKind = Literal["test", "visit", "pickup", "questions", "other"]

# Requirement -> (kind, what the patient does). Requirements missing here are the clinic's.
PATIENT_STEPS: dict[str, tuple[StepKind, str]] = {
    "test.screening": ("test", N_("First pregnancy test, at the clinic")),
    "test.confirmation": (
        "test",
        N_("Second pregnancy test, at the clinic, before your first capsule"),
    ),
    "test.before_first_prescription": (
        "test",
        N_("Pregnancy test at the clinic before your first prescription"),
    ),
    "test.prescription": ("test", N_("Pregnancy test before your next prescription")),
    "test.prescription_advised": (
        "test",
        N_("Pregnancy test advised before your next prescription"),
    ),
    "test.end_of_course": ("test", N_("Pregnancy test at the end of your treatment")),
    "test.post_treatment": ("test", N_("Pregnancy test after your treatment has ended")),
    "counselling.start": (
        "visit",
        N_("First visit: your prescriber explains the treatment and its risks"),
    ),
    "counselling.prescription": ("visit", N_("Visit your prescriber for your next prescription")),
    "prescription.max_supply": ("visit", N_("Visit your prescriber for your next prescription")),
    "dispense.window": ("pickup", N_("Pick up your capsules at the pharmacy")),
    "comprehension.prescription": ("questions", N_("Answer this month's questions in the app")),
    "dispense.missed_window": (
        "other",
        N_("The pick-up time has passed: ask your care team what to do next"),
    ),
    "dispense.missed_first_window": (
        "other",
        N_("The pick-up time has passed: ask your care team what to do next"),
    ),
    "contraception": ("other", N_("Your contraception must be in place")),
    "contraception.after_last_dose": ("other", N_("Keep using your contraception until this date")),
    "after.no_blood_donation": ("other", N_("Do not give blood before this date")),
}

# What applies only before the first capsule: never shown once treatment has begun.
BEFORE_TREATMENT = frozenset(
    {
        "test.screening",
        "test.confirmation",
        "test.before_first_prescription",
        "counselling.start",
        "dispense.missed_first_window",
        "contraception",
    }
)
# The kinds a reminder (e-mail, calendar alarm) is sent for.
REMINDED_KINDS: frozenset[StepKind] = frozenset({"test", "visit", "pickup", "questions"})


@dataclass(frozen=True)
class PatientStep:
    requirement_id: str
    kind: StepKind
    message: str  # the English sentence (the catalogue's key)
    first_day: dt.date
    last_day: dt.date

    def status(self, today: dt.date) -> Literal["overdue", "due", "upcoming"]:
        if self.last_day < today:
            return "overdue"
        return "due" if self.first_day <= today else "upcoming"

    @property
    def key(self) -> str:
        """Stable across days and languages: the calendar UID and the reminder's log key."""
        return f"{self.requirement_id}|{self.first_day.isoformat()}"

    def what(self, words: Speaker) -> str:
        return words.gettext(self.message)

    def when(self, words: Speaker, today: dt.date) -> str:
        if self.status(today) == "overdue":
            return words.gettext("As soon as you can (it was due by %(date)s)") % {
                "date": words.date(self.last_day)
            }
        if self.first_day == self.last_day:
            return words.gettext("On %(date)s") % {"date": words.date(self.first_day)}
        return words.gettext("From %(first)s to %(last)s") % {
            "first": words.date(self.first_day),
            "last": words.date(self.last_day),
        }


def _span(item: ScheduleItem) -> tuple[dt.date, dt.date] | None:
    first = item.date or item.window_start or item.window_end
    last = item.date or item.window_end or item.window_start
    return (first, last) if first is not None and last is not None else None


def patient_steps(
    items: Iterable[ScheduleItem], timeline: Timeline, today: dt.date
) -> list[PatientStep]:
    """The patient's steps, oldest first, without the clinic's items and the stale ones."""
    started = CourseRecord.of(timeline, today).first_dose is not None
    steps: dict[tuple[StepKind, str, dt.date], PatientStep] = {}
    for item in items:
        known = PATIENT_STEPS.get(item.requirement_id)
        span = _span(item)
        if known is None or span is None:
            continue
        if started and item.requirement_id in BEFORE_TREATMENT:
            continue
        kind, message = known
        step = PatientStep(item.requirement_id, kind, message, span[0], span[1])
        steps.setdefault((kind, message, span[0]), step)
    return sorted(steps.values(), key=lambda s: (s.first_day, s.last_day, s.kind))


def next_things(steps: list[PatientStep], today: dt.date, count: int = 3) -> list[PatientStep]:
    """What to do next: anything overdue first, then the soonest."""
    overdue = [s for s in steps if s.status(today) == "overdue"]
    rest = [s for s in steps if s.status(today) != "overdue"]
    return (overdue + rest)[:count]


def reminders_due(steps: list[PatientStep], today: dt.date, days_before: int) -> list[PatientStep]:
    """Steps a reminder is due for today: reminded kinds whose lead time has come and whose
    last day has not passed (a missed daily run catches up the next day)."""
    return [
        s
        for s in steps
        if s.kind in REMINDED_KINDS
        and s.first_day - dt.timedelta(days=days_before) <= today <= s.last_day
    ]
