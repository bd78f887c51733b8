"""The append-only course store: patients, courses and their hash-chained event logs.

Appending an event is the only way a course changes. Each append names the version (number
of events) the writer saw; if another event landed first, :class:`VersionConflict` is raised
and nothing is written. A correction is a ``void`` or ``amend`` event, validated like any other.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, literal_column, select
from sqlalchemy.exc import IntegrityError

from isotrack.domain.errors import FieldProblem, IsotrackInputError
from isotrack.domain.events import EventBase
from isotrack.domain.timeline import Patient, Timeline
from isotrack.store.chain import canonical_json, event_hash, genesis_hash
from isotrack.store.clock import utc_timestamp
from isotrack.store.course_records import (
    CourseHeader,
    NotFound,
    StoredCourse,
    StoredEvent,
    VersionConflict,
    course_etag,
)
from isotrack.store.seals import seal_head, seal_patient
from isotrack.store.statements import PreparedQuery, Reader, as_bool, as_date, as_reader
from isotrack.store.tables import courses, events, patients

__all__ = [
    "AppendedEvent",
    "CourseHeader",
    "NotFound",
    "StoredCourse",
    "StoredEvent",
    "VersionConflict",
    "append_event",
    "append_events_unchecked",
    "course_etag",
    "course_version",
    "courses_of_patient",
    "create_course",
    "create_patient",
    "import_timeline",
    "latest_course_of_patient",
    "new_id",
    "read_course",
    "read_header",
]


def new_id(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(6)}"


def create_patient(
    connection: Connection,
    *,
    display_name: str,
    prescriber_user_id: str | None,
    patient_id: str | None = None,
) -> str:
    """Register a patient in a prescriber's care; returns the patient id."""
    patient_id = patient_id or new_id("pt")
    exists = connection.execute(select(patients.c.id).where(patients.c.id == patient_id)).first()
    if exists is not None:
        raise IsotrackInputError(
            [FieldProblem("patient", "id", patient_id, "an id not already in use")],
            "patient already exists",
        )
    connection.execute(
        insert(patients).values(
            id=patient_id,
            display_name=display_name,
            prescriber_user_id=prescriber_user_id,
            created_at=utc_timestamp(),
        )
    )
    seal_patient(connection, patient_id, prescriber_user_id)
    return patient_id


def create_course(
    connection: Connection,
    *,
    patient: Patient,
    policy: str,
    created_by: str,
    course_id: str | None = None,
) -> CourseHeader:
    """Open a course for a registered patient; its patient block is fixed from now on."""
    row = connection.execute(
        select(patients.c.prescriber_user_id).where(patients.c.id == patient.id)
    ).first()
    if row is None:
        raise NotFound(f"no patient {patient.id!r}")
    header = CourseHeader(
        id=course_id or new_id("c"),
        patient_id=patient.id,
        policy=policy,
        birth_date=patient.birth_date,
        sex_at_birth=patient.sex_at_birth,
        can_get_pregnant=patient.can_get_pregnant,
        created_at=utc_timestamp(),
        created_by=created_by,
        genesis_hash="",
        prescriber_user_id=row.prescriber_user_id,
    )
    genesis = genesis_hash(header.genesis_fields())
    connection.execute(
        insert(courses).values(
            id=header.id,
            patient_id=header.patient_id,
            policy=header.policy,
            birth_date=header.birth_date,
            sex_at_birth=header.sex_at_birth,
            can_get_pregnant=header.can_get_pregnant,
            created_at=header.created_at,
            created_by=header.created_by,
            genesis_hash=genesis,
        )
    )
    seal_head(connection, header.id, 0, genesis)
    return replace(header, genesis_hash=genesis)


_HEADER_COLUMNS = (
    courses.c.id,
    courses.c.patient_id,
    courses.c.policy,
    courses.c.birth_date,
    courses.c.sex_at_birth,
    courses.c.can_get_pregnant,
    courses.c.created_at,
    courses.c.created_by,
    courses.c.genesis_hash,
    patients.c.prescriber_user_id,
)
_HEADER_QUERY = select(*_HEADER_COLUMNS).select_from(courses.join(patients))
_ONE_HEADER = PreparedQuery(_HEADER_QUERY.where(courses.c.id == bindparam("course_id")))
# The header and every event in one statement (one round trip, one snapshot): the header's
# columns repeat on each event row; a course without events gives one row of NULL events.
COURSE_QUERY = PreparedQuery(
    select(
        *_HEADER_COLUMNS,
        events.c.seq,
        events.c.event_id,
        events.c.type,
        events.c.body,
        events.c.recorded_by,
        events.c.recorded_at,
        events.c.hash,
    )
    .select_from(courses.join(patients).outerjoin(events, events.c.course_id == courses.c.id))
    .where(courses.c.id == bindparam("course_id"))
    .order_by(events.c.seq)
)
_HEADER_WIDTH = len(_HEADER_COLUMNS)


def _header(row: Sequence[Any]) -> CourseHeader:
    return CourseHeader(
        id=row[0],
        patient_id=row[1],
        policy=row[2],
        birth_date=as_date(row[3]),
        sex_at_birth=row[4],
        can_get_pregnant=as_bool(row[5]),
        created_at=row[6],
        created_by=row[7],
        genesis_hash=row[8],
        prescriber_user_id=row[9],
    )


def read_header(connection: Connection | Reader, course_id: str) -> CourseHeader:
    rows = as_reader(connection).rows(_ONE_HEADER, course_id=course_id)
    if not rows:
        raise NotFound(f"no course {course_id!r}")
    return _header(rows[0])


def read_course(connection: Connection | Reader, course_id: str) -> StoredCourse:
    """A course with all its events, in recording order: one indexed statement, no ORM."""
    rows = as_reader(connection).rows(COURSE_QUERY, course_id=course_id)
    if not rows:
        raise NotFound(f"no course {course_id!r}")
    width = _HEADER_WIDTH
    stored = tuple(StoredEvent(*row[width:]) for row in rows if row[width] is not None)
    return StoredCourse(header=_header(rows[0]), events=stored)


def course_version(connection: Connection, course_id: str) -> int:
    count = connection.execute(
        select(func.coalesce(func.max(events.c.seq), 0)).where(events.c.course_id == course_id)
    ).scalar_one()
    return int(count)


def courses_of_patient(connection: Connection, patient_id: str) -> list[CourseHeader]:
    rows = connection.execute(
        _HEADER_QUERY.where(courses.c.patient_id == patient_id).order_by(courses.c.created_at)
    ).all()
    return [_header(row) for row in rows]


_LATEST_OF_PATIENT = PreparedQuery(
    select(
        courses.c.id,
        select(func.coalesce(func.max(events.c.seq), literal_column("0")))
        .where(events.c.course_id == courses.c.id)
        .scalar_subquery(),
    )
    .where(courses.c.patient_id == bindparam("patient_id"))
    .order_by(courses.c.created_at.desc())
)


def latest_course_of_patient(connection: Connection | Reader, patient_id: str) -> (
    tuple[str, int] | None
):  # fmt: skip
    """The patient's latest course and its version (its last event's sequence number), in one
    statement (a patient has a handful of courses; the first row is the latest)."""
    rows = as_reader(connection).rows(_LATEST_OF_PATIENT, patient_id=patient_id)
    return (str(rows[0][0]), int(rows[0][1])) if rows else None


@dataclass(frozen=True)
class AppendedEvent:
    course_id: str
    seq: int
    event_id: str
    hash: str
    recorded_at: str

    @property
    def version(self) -> int:
        return self.seq

    @property
    def etag(self) -> str:
        return course_etag(self.course_id, self.seq)


def append_event(
    connection: Connection,
    course_id: str,
    event: EventBase,
    *,
    recorded_by: str,
    expected_version: int | None,
    check: Callable[[Timeline, EventBase], None] | None = None,
) -> AppendedEvent:
    """Append one event after validating the whole timeline with it.

    ``expected_version`` is the number of events the writer saw (``None``: append at the
    current head). ``check`` sees the course as it stands inside this transaction, before
    the new event, and raises to refuse it. Raises :class:`VersionConflict` when the course
    moved on, and :class:`IsotrackInputError` when the event would make the timeline invalid.
    """
    course = read_course(connection, course_id)
    if expected_version is not None and expected_version != course.version:
        raise VersionConflict(course_id, expected_version, course.version)
    # Validation of the whole course with the new event: ids unique, void/amend targets exist.
    timeline = course.timeline()
    timeline.with_event(event)
    if check is not None:
        check(timeline, event)
    body = event.model_dump(mode="json", exclude_none=True)
    seq = course.version + 1
    prev = course.events[-1].hash if course.events else course.header.genesis_hash
    recorded_at = utc_timestamp()
    link = event_hash(
        prev,
        course_id=course_id,
        seq=seq,
        body=body,
        recorded_by=recorded_by,
        recorded_at=recorded_at,
    )
    try:
        with connection.begin_nested():
            connection.execute(
                insert(events).values(
                    course_id=course_id,
                    seq=seq,
                    event_id=event.id,
                    type=body["type"],
                    date=event.date,
                    body=canonical_json(body),
                    recorded_by=recorded_by,
                    recorded_at=recorded_at,
                    prev_hash=prev,
                    hash=link,
                )
            )
            seal_head(connection, course_id, seq, link)
    except IntegrityError:
        # Another writer took this sequence number between our read and our insert.
        raise VersionConflict(course_id, expected_version, seq, lost_race=True) from None
    return AppendedEvent(course_id, seq, event.id, link, recorded_at)


def import_timeline(
    connection: Connection,
    timeline: Timeline,
    *,
    recorded_by: str,
    prescriber_user_id: str | None,
    display_name: str | None = None,
    course_id: str | None = None,
) -> CourseHeader:
    """Store a whole timeline as a new course (creating the patient if needed)."""
    exists = connection.execute(
        select(patients.c.id).where(patients.c.id == timeline.patient.id)
    ).first()
    if exists is None:
        create_patient(
            connection,
            display_name=display_name or timeline.patient.id,
            prescriber_user_id=prescriber_user_id,
            patient_id=timeline.patient.id,
        )
    header = create_course(
        connection,
        patient=timeline.patient,
        policy=timeline.policy,
        created_by=recorded_by,
        course_id=course_id,
    )
    append_events_unchecked(connection, header, timeline.events, recorded_by=recorded_by)
    return header


def append_events_unchecked(
    connection: Connection,
    header: CourseHeader,
    new_events: Sequence[EventBase],
    *,
    recorded_by: str,
) -> None:
    """Append events of an already validated timeline to a new, empty course in one go."""
    prev = header.genesis_hash
    rows: list[dict[str, Any]] = []
    recorded_at = utc_timestamp()
    for seq, event in enumerate(new_events, start=1):
        body = event.model_dump(mode="json", exclude_none=True)
        link = event_hash(
            prev,
            course_id=header.id,
            seq=seq,
            body=body,
            recorded_by=recorded_by,
            recorded_at=recorded_at,
        )
        rows.append(
            {
                "course_id": header.id,
                "seq": seq,
                "event_id": event.id,
                "type": body["type"],
                "date": event.date,
                "body": canonical_json(body),
                "recorded_by": recorded_by,
                "recorded_at": recorded_at,
                "prev_hash": prev,
                "hash": link,
            }
        )
        prev = link
    if rows:
        connection.execute(insert(events), rows)
        seal_head(connection, header.id, len(rows), prev)


def all_course_ids(connection: Connection) -> list[str]:
    """Every course of the store, oldest first (for a whole-store export)."""
    return list(
        connection.execute(select(courses.c.id).order_by(courses.c.created_at, courses.c.id))
        .scalars()
        .all()
    )
