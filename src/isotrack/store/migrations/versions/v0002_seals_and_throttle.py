"""Signed seals and checkpoints (tamper evidence); sign-in throttle counters.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "seals",
        sa.Column("subject", sa.String(160), primary_key=True),
        sa.Column("fields", sa.Text, nullable=False),
        sa.Column("signature", sa.String(64), nullable=False),
    )
    op.create_table(
        "checkpoints",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("taken_at", sa.String(40), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("signature", sa.String(64), nullable=False),
    )
    op.create_table(
        "sign_in_throttle",
        sa.Column("scope", sa.String(200), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("blocked_until", sa.BigInteger, nullable=False),
        sa.Column("last_failure_at", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    for table in ("sign_in_throttle", "checkpoints", "seals"):
        op.drop_table(table)
