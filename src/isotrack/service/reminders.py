"""Reminder e-mails: who asked for them, what their courses hold, what was already sent, and
the one place mail leaves isotrack (SMTP, configured by the ``smtp_*`` settings).

The words of a reminder are the web's (in the patient's language); the daily task of
``isotrack serve`` composes them from :func:`reminder_candidates` and sends them here.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage

from isotrack.domain.timeline import Timeline
from isotrack.engines.schedule import ScheduleItem, build_schedule
from isotrack.service.context import Service
from isotrack.service.settings import Settings
from isotrack.store.courses import courses_of_patient, read_course
from isotrack.store.patient_preferences import (
    record_reminder_sent,
    reminder_recipients,
    reminder_was_sent,
)
from isotrack.store.users import Role, user_by_id


@dataclass(frozen=True)
class ReminderCandidate:
    """A patient who asked for e-mail reminders, with their latest course's schedule today."""

    user_id: str
    display_name: str
    email: str
    language: str | None
    course_id: str
    timeline: Timeline
    items: list[ScheduleItem]


def reminder_candidates(service: Service) -> list[ReminderCandidate]:
    """Active patient accounts with reminders on and an address, each with its schedule."""
    knowledge, today = service.knowledge(), service.today()
    found = []
    with service.database.reading() as connection:
        for user_id, chosen in reminder_recipients(connection):
            user = user_by_id(connection, user_id)
            if user is None or not user.active or user.role is not Role.PATIENT:
                continue
            if not user.patient_id or not chosen.email:
                continue
            headers = courses_of_patient(connection, user.patient_id)
            if not headers:
                continue
            timeline = read_course(connection, headers[-1].id).timeline()
            schedule = build_schedule(knowledge, timeline, today)
            found.append(
                ReminderCandidate(
                    user.id, user.display_name, chosen.email, chosen.language,
                    headers[-1].id, timeline, list(schedule.items),
                )
            )  # fmt: skip
    return found


def not_yet_sent(service: Service, user_id: str, keys: list[str]) -> list[str]:
    with service.database.reading() as connection:
        return [key for key in keys if not reminder_was_sent(connection, user_id, key)]


def mark_sent(service: Service, user_id: str, keys: list[str]) -> None:
    with service.database.writing() as connection:
        for key in keys:
            record_reminder_sent(connection, user_id, key)


def send_email(settings: Settings, message: EmailMessage) -> None:
    """Hand one message to the configured SMTP server (raises ``OSError``/``SMTPException``)."""
    if settings.smtp_host is None:
        raise RuntimeError("no SMTP server is configured (ISOTRACK_SMTP_HOST)")
    if "From" not in message:
        message["From"] = settings.smtp_from
    client: smtplib.SMTP
    if settings.smtp_security == "tls":
        context = ssl.create_default_context()
        client = smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port, context=context)
    else:
        client = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30)
    with client:
        if settings.smtp_security == "starttls":
            client.starttls(context=ssl.create_default_context())
        if settings.smtp_username and settings.smtp_password:
            client.login(settings.smtp_username, settings.smtp_password)
        client.send_message(message)
