"""The prescriber's list: where each patient stands today and how urgent they are.

Each line is read from the course's worklist row (``service.worklist``), which the engines
rewrite with every event and once a day; the page runs no engine per patient. The words here
say what the row knows; the course page has the detail.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from isotrack.domain.worklist_entry import STATUS_ORDER, WorklistEntry

# What the status filter offers, most urgent first, in the clinic's words.
STATUS_LABELS: dict[str, str] = {
    "critical": "Critical alert",
    "stopped": "Course stopped",
    "on_hold": "On clinical hold",
    "blocked": "Cannot be dispensed",
    "unreadable": "Record needs checking",
    "overdue": "Overdue",
    "due": "Due",
    "on_track": "On track",
}
assert set(STATUS_LABELS) == set(STATUS_ORDER)

# Conditions of the first dispense that can lapse once treatment began (decision 45), in the
# prescriber's short words; any other is named "a pre-treatment requirement".
LAPSED_WORDS: dict[str, str] = {
    "test.screening": "screening pregnancy test",
    "test.confirmation": "confirmation test",
    "test.before_first_prescription": "pregnancy test before the first prescription",
    "initiation.two_prescribers": "second prescriber's agreement",
}


@dataclass(frozen=True)
class TodayRow:
    """One patient on the prescriber's list, with how urgent and what to do next."""

    course_id: str
    patient_id: str
    patient_name: str
    policy: str
    urgency: int
    urgency_label: str
    badge: str
    headline: str
    more: str
    next_action: str
    # What no longer applies since treatment began, e.g. "confirmation test no longer applies
    # (treatment began 3 March 2026)"; "" when nothing lapsed.
    lapsed: str = ""


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _words(entry: WorklistEntry) -> tuple[str, str, str, str, str]:
    """(label, badge, headline, more, next action) of one row's status."""
    status, blocking, due = entry.status, entry.blocking_requirement, entry.next_due
    others = entry.open_alerts - entry.open_critical_alerts
    more = _count(others, "other alert", "other alerts") + " open" if others > 0 else ""
    if status == "critical":
        headline = _count(entry.open_critical_alerts, "critical alert", "critical alerts")
        return ("critical alert", "critical", f"{headline} open", more,
                "Review the alert on the course page.")  # fmt: skip
    if status == "stopped":
        return ("stopped", "critical", "The course is stopped", more,
                "Read why on the course page before anything else is done.")  # fmt: skip
    if status == "on_hold":
        holds = _count(entry.open_holds, "clinical hold", "clinical holds")
        return ("on hold", "critical", f"On {holds}", more,
                "Review the hold on the course page.")  # fmt: skip
    if status == "blocked":
        missing = blocking or "a requirement is unmet"
        return ("blocked", "unmet", f"Cannot be dispensed: {missing}", more,
                "Open the checklist and record what is missing.")  # fmt: skip
    if status == "unreadable":
        return ("needs checking", "unknown", "The record could not be assessed", "",
                "Open the course to see what needs correcting.")  # fmt: skip
    if status == "overdue":
        headline = f"Overdue: {blocking}" if blocking else "A programme requirement is overdue"
        return ("overdue", "overdue", headline, more, "Open the checklist on the course page.")
    if status == "due":
        when = f"since {_date(due)}" if due is not None else "now"
        return ("due", "due", f"Something is due {when}", more,
                "Open the course to see what is due.")  # fmt: skip
    headline = "Nothing due" if due is None else f"Next due {_date(due)}"
    if others > 0:
        return ("warning", "warning", headline, more, "Review the alerts on the course page.")
    return ("on track", "ok", headline, "", "No action needed today.")


class WorklistLine(Protocol):
    """What the service's worklist page gives per course."""

    @property
    def course_id(self) -> str: ...
    @property
    def patient_id(self) -> str: ...
    @property
    def patient_name(self) -> str: ...
    @property
    def policy(self) -> str: ...
    @property
    def entry(self) -> WorklistEntry: ...


def lapsed_words(entry: WorklistEntry) -> str:
    """The pre-treatment requirements that no longer apply, in one line; "" when none."""
    if not entry.no_longer_applies:
        return ""
    names = list(
        dict.fromkeys(
            LAPSED_WORDS.get(req_id, "a pre-treatment requirement")
            for req_id in entry.no_longer_applies
        )
    )
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    verb = "no longer applies" if len(names) == 1 else "no longer apply"
    began = f" (treatment began {_date(entry.treatment_began)})" if entry.treatment_began else ""
    return f"{listed[:1].upper()}{listed[1:]} {verb}{began}"


def today_row(row: WorklistLine) -> TodayRow:
    """One line of the list from a worklist row (course, patient, policy and its entry)."""
    entry = row.entry
    label, badge, headline, more, action = _words(entry)
    return TodayRow(
        row.course_id, row.patient_id, row.patient_name, row.policy,
        entry.urgency, label, badge, headline, more, action, lapsed_words(entry),
    )  # fmt: skip
