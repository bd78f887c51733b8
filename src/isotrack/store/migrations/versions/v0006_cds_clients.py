"""CDS Hooks: registered CDS clients and the critical cards handed out.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cds_clients",
        sa.Column("issuer", sa.String(500), primary_key=True),
        sa.Column("jwks", sa.Text, nullable=True),
        sa.Column("jwks_url", sa.String(2000), nullable=True),
        sa.Column("added_at", sa.String(40), nullable=False),
    )
    op.create_table(
        "cds_cards",
        sa.Column("uuid", sa.String(36), primary_key=True),
        sa.Column("course_id", sa.String(100), nullable=False),
        sa.Column("alert_ids", sa.Text, nullable=False),
        sa.Column("service_id", sa.String(100), nullable=False),
        sa.Column("issuer", sa.String(500), nullable=False),
        sa.Column("clinician", sa.String(300), nullable=True),
        sa.Column("hook_instance", sa.String(200), nullable=False),
        sa.Column("issued_at", sa.String(40), nullable=False),
    )


def downgrade() -> None:
    for table in ("cds_cards", "cds_clients"):
        op.drop_table(table)
