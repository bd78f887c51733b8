"""External identifiers of patients (an EHR's FHIR Patient id, its MRN, a programme id), so
that a later call from that EHR about that Patient finds the course.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "patient_identifiers",
        sa.Column("system", sa.String(300), nullable=False),
        sa.Column("value", sa.String(200), nullable=False),
        sa.Column("patient_id", sa.String(100), sa.ForeignKey("patients.id"), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.PrimaryKeyConstraint("system", "value", name="pk_patient_identifiers"),
    )
    op.create_index("ix_patient_identifiers_patient", "patient_identifiers", ["patient_id"])


def downgrade() -> None:
    op.drop_index("ix_patient_identifiers_patient", "patient_identifiers")
    op.drop_table("patient_identifiers")
