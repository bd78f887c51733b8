"""The patient's steps as a calendar and as a reminder e-mail, in the patient's language."""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage

from isotrack.interop.ical import CalendarEntry, course_calendar
from isotrack.web.i18n import TRANSLATOR, Speaker
from isotrack.web.patient_words import REMINDED_KINDS, PatientStep


def translator_line(words: Speaker) -> str:
    if not words.translated:
        return ""
    return words.gettext("Translated by %(translator)s.") % {"translator": TRANSLATOR}


def calendar_bytes(
    *,
    course_id: str,
    steps: list[PatientStep],
    words: Speaker,
    today: dt.date,
    alarm_days_before: int,
    generated_at: dt.datetime,
) -> bytes:
    """Every step that still lies ahead (or is open today); nothing past, nothing stale."""
    entries = []
    for step in steps:
        if step.last_day < today:
            continue
        lines = [step.when(words, today), words.gettext("From your isotrack course calendar.")]
        if words.translated:
            lines.append(translator_line(words))
        entries.append(
            CalendarEntry(
                key=step.key,
                first_day=step.first_day,
                last_day=step.last_day,
                summary=step.what(words),
                description="\n".join(lines),
                alarm_text=step.what(words) if step.kind in REMINDED_KINDS else None,
            )
        )
    return course_calendar(
        course_id=course_id,
        calendar_name=words.gettext("My isotretinoin treatment"),
        entries=entries,
        generated_at=generated_at,
        alarm_days_before=alarm_days_before,
        language=words.language,
    )


def reminder_message(
    *, to: str, name: str, steps: list[PatientStep], words: Speaker, today: dt.date, link: str
) -> EmailMessage:
    """One plain-text e-mail listing what is coming up (no clinical details beyond the steps)."""
    message = EmailMessage()
    message["To"] = to
    message["Subject"] = words.gettext("Reminder: coming up in your isotretinoin treatment")
    lines = [words.gettext("Hello %(name)s,") % {"name": name}, "",
             words.gettext("Coming up soon:"), ""]  # fmt: skip
    for step in steps:
        lines.append(f"- {step.what(words)}: {step.when(words, today)}")
    lines += ["", words.gettext("See everything on your page: %(link)s") % {"link": link}, "",
              words.gettext("You get these e-mails because you asked for them. You can stop "
                            "them on your page, under Reminders."),]  # fmt: skip
    if words.translated:
        lines += ["", translator_line(words)]
    message.set_content("\n".join(lines))
    message["Content-Language"] = words.language  # after set_content, which clears Content-*
    return message
