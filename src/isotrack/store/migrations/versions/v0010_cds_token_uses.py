"""CDS Hooks: the JWT ``jti`` values already used (shared by every worker process) and the
FHIR server hosts each CDS client may send isotrack to.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cds_token_uses",
        sa.Column("issuer", sa.String(500), primary_key=True),
        sa.Column("jti", sa.String(255), primary_key=True),
        sa.Column("expires_at", sa.Float, nullable=False),
    )
    op.create_index("ix_cds_token_uses_expires_at", "cds_token_uses", ["expires_at"])
    with op.batch_alter_table("cds_clients") as batch:
        batch.add_column(sa.Column("fhir_server_hosts", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cds_clients") as batch:
        batch.drop_column("fhir_server_hosts")
    op.drop_index("ix_cds_token_uses_expires_at", table_name="cds_token_uses")
    op.drop_table("cds_token_uses")
