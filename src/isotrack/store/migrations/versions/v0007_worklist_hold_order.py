"""The today list's panel of open alerts in order without running the engines: whether a
course's holds include an item-9 answer, and since when the course has been held.

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


def downgrade() -> None:
    with op.batch_alter_table("worklist") as table:
        table.drop_column("hold_since")
        table.drop_column("hold_item9")
