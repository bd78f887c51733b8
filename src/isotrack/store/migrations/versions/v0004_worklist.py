"""The today list's row per course (derived from the engines, rewritten with each event).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "worklist",
        sa.Column("course_id", sa.String(40), nullable=False),
        sa.Column("as_of", sa.Date, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("urgency", sa.Integer, nullable=False),
        sa.Column("next_due", sa.Date, nullable=True),
        sa.Column("open_alerts", sa.Integer, nullable=False),
        sa.Column("open_critical_alerts", sa.Integer, nullable=False),
        sa.Column("open_holds", sa.Integer, nullable=False),
        sa.Column("blocking_requirement", sa.String(300), nullable=False),
        sa.PrimaryKeyConstraint("course_id", name="pk_worklist"),
        sa.ForeignKeyConstraint(
            ["course_id"], ["courses.id"], name="fk_worklist_course_id_courses"
        ),
    )
    op.create_index("ix_worklist_urgency", "worklist", ["urgency"])


def downgrade() -> None:
    op.drop_index("ix_worklist_urgency", table_name="worklist")
    op.drop_table("worklist")
