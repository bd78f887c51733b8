"""The pharmacy's queue read from the worklist rows: each row keeps the course's prescription
waiting to be filled (product, capsules, daily dose, days' supply, signer), the programme's
decision for the row's day and its dispense-by date, with an index in the queue's order.

The rows are derived, never a record of care: they are deleted here and written again, with
the new columns, by the refresh that ``isotrack serve`` runs before its first request (or
``isotrack worklist refresh``, or the first page that finds them missing).

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_COLUMNS = (
    ("queue_order", sa.Integer),
    ("rx_id", sa.String(100)),
    ("rx_written_on", sa.Date),
    ("rx_product", sa.String(200)),
    ("rx_strength", sa.String(200)),
    ("rx_daily_dose_mg", sa.Float),
    ("rx_days_supply", sa.Integer),
    ("rx_signer", sa.String(80)),
    ("dispense_by", sa.Date),
    ("decision", sa.Text),
)


def upgrade() -> None:
    op.execute("DELETE FROM worklist")
    with op.batch_alter_table("worklist") as table:
        for name, kind in _COLUMNS:
            table.add_column(sa.Column(name, kind, nullable=True))
    op.create_index("ix_worklist_queue", "worklist", ["queue_order", "rx_written_on", "course_id"])


def downgrade() -> None:
    op.drop_index("ix_worklist_queue", table_name="worklist")
    with op.batch_alter_table("worklist") as table:
        for name, _ in reversed(_COLUMNS):
            table.drop_column(name)
