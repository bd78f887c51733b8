"""What an operator does from the command line, with the database in hand: the schema, the
demo clinic, accounts, importing, exporting and verifying courses.

The operator is trusted with the whole store (no role check); every function opens the store
named by ``database_url`` (default: ``$ISOTRACK_DATABASE_URL``) and closes it again.
Functions that need the schema current raise :class:`SchemaNotCurrent` otherwise.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from isotrack.domain.errors import FieldProblem, IsotrackError, IsotrackInputError, RecordNotFound
from isotrack.domain.timeline import Timeline
from isotrack.store.checkpoints import Checkpoint, take_checkpoint
from isotrack.store.courses import (
    CourseHeader,
    NotFound,
    all_course_ids,
    import_timeline,
    read_course,
)
from isotrack.store.database import (
    Database,
    SchemaStatus,
    downgrade_schema,
    open_database,
    schema_status,
    upgrade_schema,
)
from isotrack.store.demo_clinic import DEMO_USERS, DemoUser, demo_patients
from isotrack.store.patient_identifiers import link_identifiers
from isotrack.store.users import Role, User, create_user, generate_password, user_by_username
from isotrack.store.verify import VerifyReport, verify_all

__all__ = [
    "DEMO_USERS",
    "DemoClinic",
    "DemoUser",
    "SchemaNotCurrent",
    "SchemaStatus",
    "VerifyReport",
    "add_user",
    "export_course",
    "export_courses",
    "import_course",
    "load_demo_clinic",
    "schema_state",
    "upgrade",
    "verify_store",
]


class SchemaNotCurrent(IsotrackError):
    """The database's schema is not the one this code needs (``isotrack db upgrade``)."""


@contextmanager
def _store(database_url: str | None, *, current: bool = True) -> Iterator[Database]:
    if database_url:
        os.environ["ISOTRACK_DATABASE_URL"] = database_url  # so that server workers see it too
    database = open_database(database_url)
    try:
        if current:
            status = schema_status(database)
            if not status.up_to_date:
                raise SchemaNotCurrent(status.explain())
        yield database
    finally:
        database.dispose()


def schema_state(database_url: str | None) -> SchemaStatus:
    with _store(database_url, current=False) as database:
        return schema_status(database)


def require_current_schema(database_url: str | None) -> None:
    with _store(database_url):
        pass


def upgrade(database_url: str | None) -> tuple[SchemaStatus, SchemaStatus]:
    """Create or upgrade the schema; the status before and after."""
    with _store(database_url, current=False) as database:
        before = schema_status(database)
        upgrade_schema(database)
        return before, schema_status(database)


def add_user(
    database_url: str | None,
    *,
    username: str,
    password: str,
    role: Role,
    display_name: str | None = None,
    prescriber_username: str | None = None,
    patient_id: str | None = None,
) -> User:
    with _store(database_url) as database, database.writing() as connection:
        return create_user(
            connection,
            username=username,
            password=password,
            role=role,
            display_name=display_name,
            prescriber_username=prescriber_username,
            patient_id=patient_id,
        )


@dataclass(frozen=True)
class DemoClinic:
    passwords: dict[str, str]  # username -> password, shown once
    patients: int


def load_demo_clinic(
    database_url: str | None, *, today: dt.date, reset: bool = False
) -> DemoClinic | None:
    """Demo users and demo patients dated from ``today``, in one transaction; None when the
    demo is already there. ``reset`` first ERASES the whole database."""
    with _store(database_url) as database:
        if reset:
            downgrade_schema(database)
            upgrade_schema(database)
        with database.reading() as connection:
            if user_by_username(connection, DEMO_USERS[0].username) is not None:
                return None
        passwords: dict[str, str] = {}
        patients = demo_patients(today)
        with database.writing() as connection:
            staff = {}
            for spec in DEMO_USERS:
                if spec.patient_id is None:
                    passwords[spec.username] = generate_password()
                    staff[spec.username] = create_user(
                        connection, username=spec.username, password=passwords[spec.username],
                        role=spec.role, display_name=spec.display_name,
                        prescriber_username=spec.prescriber,
                    )  # fmt: skip
            for patient in patients:
                import_timeline(
                    connection, patient.timeline, recorded_by=patient.prescriber,
                    prescriber_user_id=staff[patient.prescriber].id,
                    display_name=patient.display_name,
                )  # fmt: skip
            for spec in DEMO_USERS:
                if spec.patient_id is not None:
                    passwords[spec.username] = generate_password()
                    create_user(
                        connection, username=spec.username, password=passwords[spec.username],
                        role=spec.role, display_name=spec.display_name,
                        patient_id=spec.patient_id,
                    )  # fmt: skip
    return DemoClinic(passwords, len(patients))


def import_course(
    database_url: str | None,
    timeline: Timeline,
    *,
    prescriber_username: str,
    display_name: str | None = None,
    identifiers: Sequence[tuple[str, str]] = (),
) -> CourseHeader:
    """Store a whole timeline as a new course in a prescriber's care (patient created if new).

    ``identifiers`` (``(system, value)``, e.g. from ``service.fhir_patients``) are kept as the
    patient's external identifiers in the same transaction."""
    with _store(database_url) as database, database.writing() as connection:
        user = user_by_username(connection, prescriber_username)
        if user is None or user.role is not Role.PRESCRIBER:
            raise IsotrackInputError(
                [FieldProblem("option", "--prescriber", prescriber_username,
                              "the username of a prescriber")],
                "unknown prescriber",
            )  # fmt: skip
        header = import_timeline(
            connection, timeline, recorded_by=user.username, prescriber_user_id=user.id,
            display_name=display_name,
        )  # fmt: skip
        link_identifiers(connection, header.patient_id, identifiers)
        return header


def export_course(database_url: str | None, course_id: str) -> Timeline:
    with _store(database_url) as database, database.reading() as connection:
        try:
            return read_course(connection, course_id).timeline()
        except NotFound:
            raise RecordNotFound(f"no course {course_id!r}") from None


def export_courses(database_url: str | None, course_ids: Sequence[str] = ()) -> list[Timeline]:
    """The named courses, or every course of the store when none is named."""
    with _store(database_url) as database, database.reading() as connection:
        wanted = list(course_ids) or all_course_ids(connection)
        found = []
        for course_id in wanted:
            try:
                found.append(read_course(connection, course_id).timeline())
            except NotFound:
                raise RecordNotFound(f"no course {course_id!r}") from None
        return found


def verify_store(database_url: str | None) -> VerifyReport:
    """Check every course's hash chain and every signed seal against the newest checkpoint."""
    with _store(database_url) as database, database.reading() as connection:
        return verify_all(connection)


def sign_checkpoint(database_url: str | None) -> Checkpoint:
    """Sign a checkpoint over every seal (run after a clean ``verify_store``, e.g. from cron)."""
    with _store(database_url) as database, database.writing() as connection:
        return take_checkpoint(connection)
