"""What a patient sets for themself (e-mail, language, e-mail reminders), their calendar
subscription links, and the log of reminders sent (tables in ``patient_tables``).

A calendar link is a random token; only its SHA-256 is stored, so the address is shown to the
patient once, when it is made. It stops working after its last day, when revoked, and when the
account is deactivated (checked on every read).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import Connection, insert, select, update

from isotrack.store.clock import utc_timestamp
from isotrack.store.patient_tables import calendar_links, patient_preferences, reminders_sent
from isotrack.store.statements import as_bool
from isotrack.store.users import Role, User, user_by_id


@dataclass(frozen=True)
class Preferences:
    email: str | None = None
    language: str | None = None
    email_reminders: bool = False


@dataclass(frozen=True)
class CalendarLink:
    token_sha256: str
    created_on: dt.date
    expires_on: dt.date
    revoked_on: dt.date | None

    def works_on(self, day: dt.date) -> bool:
        return self.revoked_on is None and day <= self.expires_on


def token_sha256(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def read_preferences(connection: Connection, user_id: str) -> Preferences:
    row = connection.execute(
        select(
            patient_preferences.c.email,
            patient_preferences.c.language,
            patient_preferences.c.email_reminders,
        ).where(patient_preferences.c.user_id == user_id)
    ).first()
    if row is None:
        return Preferences()
    return Preferences(row[0], row[1], as_bool(row[2]))


def save_preferences(connection: Connection, user_id: str, chosen: Preferences) -> None:
    values = {
        "email": chosen.email,
        "language": chosen.language,
        "email_reminders": chosen.email_reminders,
        "updated_at": utc_timestamp(),
    }
    changed = connection.execute(
        update(patient_preferences).where(patient_preferences.c.user_id == user_id).values(values)
    )
    if changed.rowcount == 0:
        connection.execute(insert(patient_preferences).values(user_id=user_id, **values))


def create_calendar_link(
    connection: Connection, user_id: str, created_on: dt.date, expires_on: dt.date
) -> str:
    """A new link's token (256 random bits), shown once; the store keeps its hash."""
    token = secrets.token_urlsafe(32)
    connection.execute(
        insert(calendar_links).values(
            token_sha256=token_sha256(token),
            user_id=user_id,
            created_on=created_on,
            expires_on=expires_on,
            revoked_on=None,
        )
    )
    return token


def calendar_links_of(connection: Connection, user_id: str) -> list[CalendarLink]:
    rows = connection.execute(
        select(
            calendar_links.c.token_sha256,
            calendar_links.c.created_on,
            calendar_links.c.expires_on,
            calendar_links.c.revoked_on,
        )
        .where(calendar_links.c.user_id == user_id)
        .order_by(calendar_links.c.created_on, calendar_links.c.token_sha256)
    ).all()
    return [CalendarLink(r[0], r[1], r[2], r[3]) for r in rows]


def revoke_calendar_link(
    connection: Connection, user_id: str, link_sha256: str, on: dt.date
) -> bool:
    """Revoke one of the user's own links; False when the user has no such live link."""
    changed = connection.execute(
        update(calendar_links)
        .where(
            calendar_links.c.user_id == user_id,
            calendar_links.c.token_sha256 == link_sha256,
            calendar_links.c.revoked_on.is_(None),
        )
        .values(revoked_on=on)
    )
    return bool(changed.rowcount)


def user_of_calendar_token(connection: Connection, token: str, on: dt.date) -> User | None:
    """The active patient account a live link belongs to on ``on``; None for any other token
    (unknown, expired, revoked, or its account deactivated — never told apart)."""
    row = connection.execute(
        select(
            calendar_links.c.user_id,
            calendar_links.c.created_on,
            calendar_links.c.expires_on,
            calendar_links.c.revoked_on,
        ).where(calendar_links.c.token_sha256 == token_sha256(token))
    ).first()
    if row is None:
        return None
    link = CalendarLink("", row[1], row[2], row[3])
    if not link.works_on(on):
        return None
    user = user_by_id(connection, row[0])
    if user is None or not user.active or user.role is not Role.PATIENT:
        return None
    return user


def reminder_recipients(connection: Connection) -> list[tuple[str, Preferences]]:
    """Accounts that asked for e-mail reminders and gave an address (active or not: the
    caller checks the account)."""
    rows = connection.execute(
        select(
            patient_preferences.c.user_id,
            patient_preferences.c.email,
            patient_preferences.c.language,
        )
        .where(
            patient_preferences.c.email_reminders.is_(True),
            patient_preferences.c.email.is_not(None),
        )
        .order_by(patient_preferences.c.user_id)
    ).all()
    return [(r[0], Preferences(r[1], r[2], True)) for r in rows]


def reminder_was_sent(connection: Connection, user_id: str, key: str) -> bool:
    found = connection.execute(
        select(reminders_sent.c.id).where(
            reminders_sent.c.user_id == user_id, reminders_sent.c.reminder_key == key
        )
    ).first()
    return found is not None


def record_reminder_sent(connection: Connection, user_id: str, key: str) -> None:
    connection.execute(
        insert(reminders_sent).values(user_id=user_id, reminder_key=key, sent_at=utc_timestamp())
    )
