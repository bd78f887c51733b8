"""The tables of the isotrack store (SQLAlchemy Core; the migrations create exactly these).

Times that take part in a hash are kept as ISO 8601 text (``recorded_at``) so that every
database returns the very bytes that were hashed. Expiry and rate-limit times are integer
epoch seconds, which compare the same way on SQLite and PostgreSQL.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

users = Table(
    "users",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("username", String(80), nullable=False, unique=True),
    Column("display_name", String(200), nullable=False),
    Column("role", String(20), nullable=False),
    Column("password_hash", Text, nullable=False),
    # A designee acts for one prescriber; a patient user is one patient.
    Column("prescriber_user_id", String(40), ForeignKey("users.id"), nullable=True),
    # No foreign key here: users and patients would reference each other; the store checks it.
    Column("patient_id", String(100), nullable=True),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", String(40), nullable=False),
    # A prescriber's id in the programme (the iPLEDGE prescriber id), typed once and put into
    # each prescription form; every prescription event still records the id it was signed with.
    Column("programme_id", String(60), nullable=True),
)

patients = Table(
    "patients",
    metadata,
    Column("id", String(100), primary_key=True),
    Column("display_name", String(200), nullable=False),
    # The prescriber whose care the patient is in (designees see their prescriber's patients).
    Column("prescriber_user_id", String(40), ForeignKey("users.id"), nullable=True),
    Column("created_at", String(40), nullable=False),
    Index("ix_patients_prescriber", "prescriber_user_id"),
)

courses = Table(
    "courses",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("patient_id", String(100), ForeignKey("patients.id"), nullable=False),
    Column("policy", String(80), nullable=False),
    # The timeline's patient block, fixed for the course and covered by the genesis hash.
    Column("birth_date", Date, nullable=False),
    Column("sex_at_birth", String(20), nullable=False),
    Column("can_get_pregnant", Boolean, nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("created_by", String(80), nullable=False),
    Column("genesis_hash", String(64), nullable=False),
    Index("ix_courses_patient", "patient_id"),
)

events = Table(
    "events",
    metadata,
    Column("course_id", String(40), ForeignKey("courses.id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("event_id", String(100), nullable=False),
    Column("type", String(40), nullable=False),
    Column("date", Date, nullable=False),
    Column("body", Text, nullable=False),  # canonical JSON of the event, as hashed
    Column("recorded_by", String(80), nullable=False),
    Column("recorded_at", String(40), nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    PrimaryKeyConstraint("course_id", "seq", name="pk_events"),
    UniqueConstraint("course_id", "event_id", name="uq_events_course_event"),
)

sessions = Table(
    "sessions",
    metadata,
    Column("token_sha256", String(64), primary_key=True),
    Column("user_id", String(40), ForeignKey("users.id"), nullable=False),
    Column("kind", String(10), nullable=False),  # "bearer" or "browser"
    Column("csrf_token", String(64), nullable=True),
    Column("created_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger, nullable=False),
    Column("revoked_at", BigInteger, nullable=True),
    Index("ix_sessions_user", "user_id"),
)

login_failures = Table(
    "login_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(80), nullable=False),
    Column("failed_at", BigInteger, nullable=False),
    Index("ix_login_failures_username_at", "username", "failed_at"),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("user_id", String(40), nullable=False),
    Column("key", String(200), nullable=False),
    Column("fingerprint", String(64), nullable=False),  # sha256 of method, path and body
    Column("status_code", Integer, nullable=False),
    Column("response_body", Text, nullable=False),
    Column("etag", String(80), nullable=True),
    Column("created_at", BigInteger, nullable=False),
    PrimaryKeyConstraint("user_id", "key", name="pk_idempotency_keys"),
)

dispense_authorizations = Table(
    "dispense_authorizations",
    metadata,
    Column("code", String(20), primary_key=True),
    Column("course_id", String(40), ForeignKey("courses.id"), nullable=False),
    Column("prescription_id", String(100), nullable=True),
    Column("decided_on", Date, nullable=False),
    Column("authorized", Boolean, nullable=False),
    Column("dispense_by", Date, nullable=True),
    Column("max_days_supply", Integer, nullable=True),
    Column("decision", Text, nullable=False),  # the full decision JSON as returned
    Column("requested_by", String(40), nullable=False),
    Column("recorded_at", String(40), nullable=False),
    Column("idempotency_key", String(200), nullable=True),
    Column("fingerprint", String(64), nullable=True),
    Index("ix_dispense_authorizations_course", "course_id"),
    UniqueConstraint(
        "requested_by", "idempotency_key", name="uq_dispense_authorizations_requested_by_key"
    ),
)

# A signed seal per protected row (see ``isotrack.store.seals``).
seals = Table(
    "seals",
    metadata,
    Column("subject", String(160), primary_key=True),
    Column("fields", Text, nullable=False),
    Column("signature", String(64), nullable=False),
)

# Periodic signed checkpoints over every seal (see ``isotrack.store.checkpoints``).
checkpoints = Table(
    "checkpoints",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("taken_at", String(40), nullable=False),
    Column("body", Text, nullable=False),
    Column("signature", String(64), nullable=False),
)

# Failed sign-ins per account ("account:<name>") and per address ("address:<ip>").
sign_in_throttle = Table(
    "sign_in_throttle",
    metadata,
    Column("scope", String(200), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("blocked_until", BigInteger, nullable=False),
    Column("last_failure_at", BigInteger, nullable=False),
)

# One row per course for the prescriber's today list (``engines/worklist.py``): rewritten in the
# transaction of each appended event and by the daily refresh; derived, never a record of care.
worklist = Table(
    "worklist",
    metadata,
    Column("course_id", String(40), ForeignKey("courses.id"), primary_key=True),
    Column("as_of", Date, nullable=False),
    Column("status", String(20), nullable=False),
    Column("urgency", Integer, nullable=False),
    Column("next_due", Date, nullable=True),
    Column("open_alerts", Integer, nullable=False),
    Column("open_critical_alerts", Integer, nullable=False),
    Column("open_holds", Integer, nullable=False),
    Column("blocking_requirement", String(300), nullable=False),
    # The order of the today page's open-alert panel: an item-9 answer first, then oldest.
    Column("hold_item9", Boolean, nullable=False, server_default=false()),
    Column("hold_since", Date, nullable=True),
    # Requirement ids (space-separated) that no longer apply since treatment began on that day.
    Column("no_longer_applies", String(300), nullable=False, server_default=""),
    Column("treatment_began", Date, nullable=True),
    # Copied from the course and its patient when the row is written, so that a page of the
    # list is one index range of one table (patients are never renamed or moved to another
    # prescriber today; whatever does that must rewrite the patient's rows in its transaction).
    Column("prescriber_user_id", String(40), nullable=True),
    Column("patient_id", String(100), nullable=True),
    Column("patient_name", String(200), nullable=True),
    Column("policy", String(80), nullable=True),
    # The pharmacy's queue (``store/queue_rows.py``): the prescription waiting to be filled, if
    # any, in the words the counter reads, and the programme's decision for ``as_of``.
    # ``queue_order`` is 0 when it may be dispensed, 1 when not, NULL when nothing waits.
    Column("queue_order", Integer, nullable=True),
    Column("rx_id", String(100), nullable=True),
    Column("rx_written_on", Date, nullable=True),
    Column("rx_product", String(200), nullable=True),
    Column("rx_strength", String(200), nullable=True),
    Column("rx_daily_dose_mg", Float, nullable=True),
    Column("rx_days_supply", Integer, nullable=True),
    Column("rx_signer", String(80), nullable=True),
    Column("dispense_by", Date, nullable=True),
    Column("decision", Text, nullable=True),
    Index("ix_worklist_urgency", "urgency"),
    Index("ix_worklist_list", "prescriber_user_id", "urgency", "next_due", "patient_name"),
    Index("ix_worklist_as_of", "prescriber_user_id", "as_of"),
    Index("ix_worklist_queue", "queue_order", "rx_written_on", "course_id"),
)

APPEND_ONLY_TABLES: tuple[str, ...] = ("events", "dispense_authorizations", "access_log")

# Identifiers other systems give a patient (``system`` + ``value``, as in FHIR): one value of
# one system names one patient (see ``isotrack.store.patient_identifiers``).
patient_identifiers = Table(
    "patient_identifiers",
    metadata,
    Column("system", String(300), nullable=False),
    Column("value", String(200), nullable=False),
    Column("patient_id", String(100), ForeignKey("patients.id"), nullable=False),
    Column("created_at", String(40), nullable=False),
    PrimaryKeyConstraint("system", "value", name="pk_patient_identifiers"),
    Index("ix_patient_identifiers_patient", "patient_id"),
)

# Accounting of disclosures: who read or changed which patient's record, when, through which
# door (see ``isotrack.store.access_log``). Append-only like the events.
access_log = Table(
    "access_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", String(40), nullable=False),
    Column("user_id", String(40), nullable=False),
    Column("username", String(80), nullable=False),
    Column("role", String(20), nullable=False),
    Column("patient_id", String(100), nullable=False),
    Column("course_id", String(40), nullable=True),
    Column("action", String(20), nullable=False),  # "read", "change", "break-glass"
    Column("door", String(20), nullable=False),  # "web", "api", "fhir", "cds-hooks", "audit"...
    Column("reason", Text, nullable=True),  # break-glass only
    Index("ix_access_log_patient_id", "patient_id", "id"),
)

# CDS clients (EHRs) whose signed JWTs isotrack trusts: the issuer and its JWKS (a document,
# or an address fetched when needed); see ``isotrack.store.cds_clients``.
cds_clients = Table(
    "cds_clients",
    metadata,
    Column("issuer", String(500), primary_key=True),
    Column("jwks", Text, nullable=True),
    Column("jwks_url", String(2000), nullable=True),
    Column("added_at", String(40), nullable=False),
    # JSON list of the hosts ("host" or "host:port") its requests' fhirServer may name
    Column("fhir_server_hosts", Text, nullable=True),
)

# Critical CDS cards handed out, so feedback naming a card can record the alert review.
cds_cards = Table(
    "cds_cards",
    metadata,
    Column("uuid", String(36), primary_key=True),
    Column("course_id", String(100), nullable=False),
    Column("alert_ids", Text, nullable=False),
    Column("service_id", String(100), nullable=False),
    Column("issuer", String(500), nullable=False),
    Column("clinician", String(300), nullable=True),
    Column("hook_instance", String(200), nullable=False),
    Column("issued_at", String(40), nullable=False),
)

# A staff member's TOTP second factor (RFC 6238): the shared secret, when it was confirmed
# with a first code (unconfirmed: enrolment begun, not yet required), and the last time step
# used, so a code is accepted once. See ``isotrack.store.second_factors``.
second_factors = Table(
    "second_factors",
    metadata,
    Column("user_id", String(40), ForeignKey("users.id"), primary_key=True),
    Column("secret", String(64), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("confirmed_at", BigInteger, nullable=True),
    Column("last_step", BigInteger, nullable=True),
)

# The clinic's settings chosen in the admin console (units shown, second factor required):
# one row per change, the newest row of a name is in force (``isotrack.store.clinic_settings``).
clinic_settings = Table(
    "clinic_settings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(80), nullable=False),
    Column("value", Text, nullable=False),  # JSON
    Column("changed_at", String(40), nullable=False),
    Column("changed_by", String(80), nullable=False),
    Index("ix_clinic_settings_name", "name", "id"),
)

# What admins changed in the console (settings, accounts), one row per change, never updated:
# who, when, what and the value before and after (``isotrack.store.admin_actions``).
admin_actions = Table(
    "admin_actions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("acted_at", String(40), nullable=False),
    Column("acted_by", String(80), nullable=False),
    Column("action", String(40), nullable=False),
    Column("subject", String(120), nullable=False),
    Column("before", Text, nullable=True),
    Column("after", Text, nullable=True),
)

# The ``jti`` of every CDS client JWT accepted, until the token expires (unix seconds), so a
# token replayed to another worker process is refused too.
cds_token_uses = Table(
    "cds_token_uses",
    metadata,
    Column("issuer", String(500), primary_key=True),
    Column("jti", String(255), primary_key=True),
    Column("expires_at", Float, nullable=False),
    Index("ix_cds_token_uses_expires_at", "expires_at"),
)
