"""The today list read from one table: each worklist row carries its prescriber, patient and
policy (copied when the row is written) with an index in the list's order, and the order of
the open-alert panel (whether a hold is an item-9 answer, since when the course is held).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("worklist") as table:
        table.add_column(
            sa.Column("hold_item9", sa.Boolean, nullable=False, server_default=sa.false())
        )
        table.add_column(sa.Column("hold_since", sa.Date, nullable=True))
        table.add_column(sa.Column("prescriber_user_id", sa.String(40), nullable=True))
        table.add_column(sa.Column("patient_id", sa.String(100), nullable=True))
        table.add_column(sa.Column("patient_name", sa.String(200), nullable=True))
        table.add_column(sa.Column("policy", sa.String(80), nullable=True))
    course = "(SELECT {} FROM courses WHERE courses.id = worklist.course_id)"
    patient = (
        "(SELECT patients.{} FROM patients JOIN courses ON courses.patient_id = patients.id"
        " WHERE courses.id = worklist.course_id)"
    )
    op.execute(
        "UPDATE worklist SET "
        f"prescriber_user_id = {patient.format('prescriber_user_id')}, "
        f"patient_id = {course.format('patient_id')}, "
        f"patient_name = {patient.format('display_name')}, "
        f"policy = {course.format('policy')}"
    )
    # Rows written before the panel's order was kept are worked out again by the next refresh.
    op.execute("UPDATE worklist SET as_of = '1970-01-01' WHERE open_holds > 0")
    op.create_index(
        "ix_worklist_list",
        "worklist",
        ["prescriber_user_id", "urgency", "next_due", "patient_name"],
    )
    op.create_index("ix_worklist_as_of", "worklist", ["prescriber_user_id", "as_of"])


def downgrade() -> None:
    op.drop_index("ix_worklist_as_of", table_name="worklist")
    op.drop_index("ix_worklist_list", table_name="worklist")
    with op.batch_alter_table("worklist") as table:
        for column in (
            "policy", "patient_name", "patient_id", "prescriber_user_id", "hold_since",
            "hold_item9",
        ):  # fmt: skip
            table.drop_column(column)
