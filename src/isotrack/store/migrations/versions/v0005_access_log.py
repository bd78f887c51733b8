"""The access log: an accounting of disclosures of each patient's record (append-only).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "access_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("user_id", sa.String(40), nullable=False),
        sa.Column("username", sa.String(80), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("patient_id", sa.String(100), nullable=False),
        sa.Column("course_id", sa.String(40), nullable=True),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("door", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text, nullable=True),
    )
    op.create_index("ix_access_log_patient_id", "access_log", ["patient_id", "id"])
    # The same refusal as for events (0001): nobody edits or removes what was disclosed.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE ON access_log "
            "FOR EACH ROW EXECUTE FUNCTION isotrack_reject_change()"
        )
        op.execute(
            "CREATE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON access_log "
            "FOR EACH STATEMENT EXECUTE FUNCTION isotrack_reject_change()"
        )
        return
    for operation in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER access_log_no_{operation.lower()} BEFORE {operation} ON access_log "
            f"BEGIN SELECT RAISE(ABORT, 'isotrack: {operation} on access_log is not allowed: "
            "the table is append-only'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS access_log_append_only ON access_log")
        op.execute("DROP TRIGGER IF EXISTS access_log_no_truncate ON access_log")
    op.drop_index("ix_access_log_patient_id", table_name="access_log")
    op.drop_table("access_log")
