"""Patients' own settings: e-mail and language, expiring calendar links, reminders sent.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "patient_preferences",
        sa.Column("user_id", sa.String(40), sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("email", sa.String(320), nullable=True),
        sa.Column("language", sa.String(10), nullable=True),
        sa.Column("email_reminders", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("updated_at", sa.String(40), nullable=False),
    )
    op.create_table(
        "calendar_links",
        sa.Column("token_sha256", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(40), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_on", sa.Date, nullable=False),
        sa.Column("expires_on", sa.Date, nullable=False),
        sa.Column("revoked_on", sa.Date, nullable=True),
    )
    op.create_index("ix_calendar_links_user_id", "calendar_links", ["user_id"])
    op.create_table(
        "reminders_sent",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.String(40), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("reminder_key", sa.String(300), nullable=False),
        sa.Column("sent_at", sa.String(40), nullable=False),
    )
    op.create_index(
        "ix_reminders_sent_user_id", "reminders_sent", ["user_id", "reminder_key"], unique=True
    )


def downgrade() -> None:
    for table in ("reminders_sent", "calendar_links", "patient_preferences"):
        op.drop_table(table)
