"""Initial store: users, patients, courses, append-only events, sessions, authorizations.

Revision ID: 0001
Revises:
Create Date: 2026-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

APPEND_ONLY = ("events", "dispense_authorizations")


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("username", sa.String(80), nullable=False),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("prescriber_user_id", sa.String(40), nullable=True),
        sa.Column("patient_id", sa.String(100), nullable=True),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.ForeignKeyConstraint(
            ["prescriber_user_id"], ["users.id"], name="fk_users_prescriber_user_id_users"
        ),
        sa.UniqueConstraint("username", name="uq_users_username"),
    )
    op.create_table(
        "patients",
        sa.Column("id", sa.String(100), primary_key=True),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("prescriber_user_id", sa.String(40), nullable=True),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.ForeignKeyConstraint(
            ["prescriber_user_id"], ["users.id"], name="fk_patients_prescriber_user_id_users"
        ),
    )
    op.create_index("ix_patients_prescriber", "patients", ["prescriber_user_id"])
    op.create_table(
        "courses",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("patient_id", sa.String(100), nullable=False),
        sa.Column("policy", sa.String(80), nullable=False),
        sa.Column("birth_date", sa.Date, nullable=False),
        sa.Column("sex_at_birth", sa.String(20), nullable=False),
        sa.Column("can_get_pregnant", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("created_by", sa.String(80), nullable=False),
        sa.Column("genesis_hash", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name="fk_courses_patient_id_patients"
        ),
    )
    op.create_index("ix_courses_patient", "courses", ["patient_id"])
    op.create_table(
        "events",
        sa.Column("course_id", sa.String(40), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("event_id", sa.String(100), nullable=False),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("recorded_by", sa.String(80), nullable=False),
        sa.Column("recorded_at", sa.String(40), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("course_id", "seq", name="pk_events"),
        sa.UniqueConstraint("course_id", "event_id", name="uq_events_course_event"),
        sa.ForeignKeyConstraint(["course_id"], ["courses.id"], name="fk_events_course_id_courses"),
    )
    op.create_table(
        "sessions",
        sa.Column("token_sha256", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=True),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("expires_at", sa.BigInteger, nullable=False),
        sa.Column("revoked_at", sa.BigInteger, nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_sessions_user_id_users"),
    )
    op.create_index("ix_sessions_user", "sessions", ["user_id"])
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(80), nullable=False),
        sa.Column("failed_at", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_login_failures_username_at", "login_failures", ["username", "failed_at"])
    op.create_table(
        "idempotency_keys",
        sa.Column("user_id", sa.String(40), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("status_code", sa.Integer, nullable=False),
        sa.Column("response_body", sa.Text, nullable=False),
        sa.Column("etag", sa.String(80), nullable=True),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("user_id", "key", name="pk_idempotency_keys"),
    )
    op.create_table(
        "dispense_authorizations",
        sa.Column("code", sa.String(20), primary_key=True),
        sa.Column("course_id", sa.String(40), nullable=False),
        sa.Column("prescription_id", sa.String(100), nullable=True),
        sa.Column("decided_on", sa.Date, nullable=False),
        sa.Column("authorized", sa.Boolean, nullable=False),
        sa.Column("dispense_by", sa.Date, nullable=True),
        sa.Column("max_days_supply", sa.Integer, nullable=True),
        sa.Column("decision", sa.Text, nullable=False),
        sa.Column("requested_by", sa.String(40), nullable=False),
        sa.Column("recorded_at", sa.String(40), nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=True),
        sa.Column("fingerprint", sa.String(64), nullable=True),
        sa.ForeignKeyConstraint(
            ["course_id"], ["courses.id"], name="fk_dispense_authorizations_course_id_courses"
        ),
        sa.UniqueConstraint(
            "requested_by", "idempotency_key", name="uq_dispense_authorizations_requested_by_key"
        ),
    )
    op.create_index("ix_dispense_authorizations_course", "dispense_authorizations", ["course_id"])
    _append_only_triggers()


def _append_only_triggers() -> None:
    """The database itself refuses to change or remove a recorded event or authorization."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION isotrack_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'isotrack: % on % is not allowed: the table is append-only',
                    TG_OP, TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
            END
            $$
            """
        )
        for table in APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION isotrack_reject_change()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION isotrack_reject_change()"
            )
        return
    for table in APPEND_ONLY:
        for operation in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'isotrack: {operation} on {table} is not allowed: "
                "the table is append-only'); END"
            )


def downgrade() -> None:
    for table in (
        "dispense_authorizations",
        "idempotency_keys",
        "login_failures",
        "sessions",
        "events",
        "courses",
        "patients",
        "users",
    ):
        op.drop_table(table)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS isotrack_reject_change()")
