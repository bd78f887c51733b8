"""The daily reminder e-mails: for each patient who asked, what is coming up within the
configured number of days, in their language, sent once (the store logs each one)."""

from __future__ import annotations

import logging

from isotrack.service.context import Service
from isotrack.service.reminders import mark_sent, not_yet_sent, reminder_candidates, send_email
from isotrack.web.i18n import speaker
from isotrack.web.patient_calendar import reminder_message
from isotrack.web.patient_words import patient_steps, reminders_due

log = logging.getLogger("isotrack.reminders")


def send_due_reminders(service: Service) -> int:
    """Send today's reminders; the number of e-mails sent. Nothing is sent (and nothing is
    logged as sent) without an SMTP server; a failed send is retried on the next run."""
    settings = service.settings
    if settings.smtp_host is None:
        return 0
    today = service.today()
    base = (settings.public_url or "").rstrip("/")
    sent = 0
    for candidate in reminder_candidates(service):
        steps = patient_steps(candidate.items, candidate.timeline, today)
        due = reminders_due(steps, today, settings.reminder_days_before)
        keys = {f"{candidate.course_id}|{s.key}": s for s in due}
        fresh = not_yet_sent(service, candidate.user_id, list(keys))
        due = [keys[key] for key in fresh]
        if not due:
            continue
        words = speaker(candidate.language or "en")
        message = reminder_message(
            to=candidate.email, name=candidate.display_name, steps=due, words=words,
            today=today, link=f"{base}/me",
        )  # fmt: skip
        try:
            send_email(settings, message)
        except (OSError, RuntimeError) as failed:  # smtplib's errors are OSErrors
            log.warning("reminder e-mail not sent: %s", type(failed).__name__)
            continue
        mark_sent(service, candidate.user_id, fresh)
        sent += 1
    return sent
