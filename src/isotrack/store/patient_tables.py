"""Tables of what a patient sets for themself: contact and language, calendar links, and the
reminders already sent (migration 0008). Kept beside ``tables`` in the same metadata."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Date, ForeignKey, Index, Integer, String, Table

from isotrack.store.tables import metadata

# One row per patient account that chose anything: where reminders go, in which language.
patient_preferences = Table(
    "patient_preferences",
    metadata,
    Column("user_id", String(40), ForeignKey("users.id"), primary_key=True),
    Column("email", String(320), nullable=True),
    Column("language", String(10), nullable=True),
    Column("email_reminders", Boolean, nullable=False, default=False),
    Column("updated_at", String(40), nullable=False),
)

# Calendar subscription links: the store keeps only the SHA-256 of the random token. A link
# works until ``expires_on`` (inclusive), until revoked, and only while its account is active.
calendar_links = Table(
    "calendar_links",
    metadata,
    Column("token_sha256", String(64), primary_key=True),
    Column("user_id", String(40), ForeignKey("users.id"), nullable=False),
    Column("created_on", Date, nullable=False),
    Column("expires_on", Date, nullable=False),
    Column("revoked_on", Date, nullable=True),
    Index("ix_calendar_links_user_id", "user_id"),
)

# One row per reminder e-mail sent, so the daily task never sends the same one twice.
reminders_sent = Table(
    "reminders_sent",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", String(40), ForeignKey("users.id"), nullable=False),
    Column("reminder_key", String(300), nullable=False),
    Column("sent_at", String(40), nullable=False),
    Index("ix_reminders_sent_user_id", "user_id", "reminder_key", unique=True),
)
