"""The prescriber's list: where each patient stands today and how urgent they are."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from isotrack.web.course_view import CourseView


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


URGENCY_CRITICAL, URGENCY_BLOCKED, URGENCY_OVERDUE, URGENCY_DUE, URGENCY_WARNING, URGENCY_NONE = (
    range(6)
)


def today_row(view: CourseView) -> TodayRow:
    """Place a patient on the list: critical alert, blocked prescription, overdue, due, rest."""

    def row(
        urgency: int, label: str, badge: str, headline: str, more: str, action: str
    ) -> TodayRow:
        return TodayRow(
            view.course_id, view.patient_id, view.patient_name, view.policy_id,
            urgency, label, badge, headline, more, action,
        )  # fmt: skip

    critical = [a for a in view.alerts if a.severity == "critical"]
    if critical:
        others = f"{len(critical) - 1} more critical alert(s)" if len(critical) > 1 else ""
        return row(
            URGENCY_CRITICAL, "critical alert", "critical", critical[0].message, others,
            critical[0].action or "Review the alert on the course page.",
        )  # fmt: skip
    decision = view.decision
    waiting = decision is not None and decision.prescription_id and not view.prescription_dispensed
    if decision is not None and waiting and not decision.authorized:
        missing = decision.reasons[0].message if decision.reasons else "a requirement is unmet"
        more = f"and {len(decision.reasons) - 1} more" if len(decision.reasons) > 1 else ""
        action = (
            decision.next_steps[0]
            if decision.next_steps
            else "Open the checklist and record what is missing."
        )
        return row(
            URGENCY_BLOCKED, "blocked", "unmet", f"Cannot be dispensed: {missing}", more, action
        )
    overdue = [s for s in view.schedule if s.status == "overdue"]
    unmet = [r for r in view.requirements if r.status in ("unmet", "unknown")]
    if overdue:
        first = overdue[0]
        return row(
            URGENCY_OVERDUE, "overdue", "overdue", f"Overdue since {first.when_text}: {first.what}",
            f"{len(overdue) - 1} more overdue" if len(overdue) > 1 else "",
            f"{first.who.capitalize()}: {first.what}",
        )  # fmt: skip
    due = [s for s in view.schedule if s.status == "due"]
    due_requirements = [r for r in view.requirements if r.status == "due"]
    if due or due_requirements or unmet:
        if due:
            what, who, when = due[0].what, due[0].who, due[0].when_text
        else:
            req = (due_requirements or unmet)[0]
            what, who = req.title, req.who
            when = req.due_date.isoformat() if req.due_date else "now"
        return row(
            URGENCY_DUE, "due", "due", f"Due {when}: {what}", "", f"{who.capitalize()}: {what}"
        )
    warnings = [a for a in view.alerts if a.severity == "warning"]
    if warnings:
        return row(
            URGENCY_WARNING, "warning", "warning", warnings[0].message, "",
            warnings[0].action or "Review on the course page.",
        )  # fmt: skip
    upcoming = next((s for s in view.schedule if s.status == "upcoming"), None)
    headline = (
        "Nothing due" if upcoming is None else f"Next: {upcoming.what} ({upcoming.when_text})"
    )
    return row(URGENCY_NONE, "on track", "ok", headline, "", "No action needed today.")


def sort_today(rows: Sequence[TodayRow]) -> list[TodayRow]:
    return sorted(rows, key=lambda r: (r.urgency, r.patient_name))
