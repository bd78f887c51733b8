"""The today list names a pre-treatment requirement that no longer applies (decision 45): each
worklist row keeps those requirements and the day treatment began. A prescriber's programme id
(the iPLEDGE prescriber id) is kept on the account, to fill each prescription form.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("worklist") as table:
        table.add_column(
            sa.Column("no_longer_applies", sa.String(300), nullable=False, server_default="")
        )
        table.add_column(sa.Column("treatment_began", sa.Date, nullable=True))
    # Rows are derived: the next refresh (or the prescriber's next look at the list) works
    # every row out again, with the new columns filled.
    op.execute("UPDATE worklist SET as_of = '1970-01-01'")
    with op.batch_alter_table("users") as table:
        table.add_column(sa.Column("programme_id", sa.String(60), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as table:
        table.drop_column("programme_id")
    with op.batch_alter_table("worklist") as table:
        table.drop_column("treatment_began")
        table.drop_column("no_longer_applies")
