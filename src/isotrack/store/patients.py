"""Reading patients: who is in a prescriber's care, and one patient with their courses."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from isotrack.store.tables import courses, events, patients


@dataclass(frozen=True)
class CourseSummary:
    id: str
    policy: str
    version: int
    last_event_on: str | None


@dataclass(frozen=True)
class PatientRecord:
    id: str
    display_name: str
    prescriber_user_id: str | None
    courses: tuple[CourseSummary, ...]


def patient_record(connection: Connection, patient_id: str) -> PatientRecord | None:
    row = connection.execute(
        select(patients.c.id, patients.c.display_name, patients.c.prescriber_user_id).where(
            patients.c.id == patient_id
        )
    ).first()
    if row is None:
        return None
    return PatientRecord(
        row.id, row.display_name, row.prescriber_user_id, _courses(connection, [row.id])[row.id]
    )


def patients_in_care(connection: Connection, prescriber_user_id: str) -> list[PatientRecord]:
    """The patients in one prescriber's care, by name, each with their courses."""
    rows = connection.execute(
        select(patients.c.id, patients.c.display_name, patients.c.prescriber_user_id)
        .where(patients.c.prescriber_user_id == prescriber_user_id)
        .order_by(patients.c.display_name, patients.c.id)
    ).all()
    by_patient = _courses(connection, [r.id for r in rows])
    return [
        PatientRecord(r.id, r.display_name, r.prescriber_user_id, by_patient[r.id]) for r in rows
    ]


def _courses(
    connection: Connection, patient_ids: list[str]
) -> dict[str, tuple[CourseSummary, ...]]:
    found: dict[str, list[CourseSummary]] = {pid: [] for pid in patient_ids}
    if not patient_ids:
        return {}
    stats = (
        select(
            events.c.course_id,
            func.max(events.c.seq).label("version"),
            func.max(events.c.date).label("last_date"),
        )
        .group_by(events.c.course_id)
        .subquery()
    )
    rows = connection.execute(
        select(
            courses.c.id, courses.c.patient_id, courses.c.policy, stats.c.version, stats.c.last_date
        )
        .select_from(courses.outerjoin(stats, stats.c.course_id == courses.c.id))
        .where(courses.c.patient_id.in_(patient_ids))
        .order_by(courses.c.created_at)
    ).all()
    for row in rows:
        last = row.last_date.isoformat() if row.last_date is not None else None
        found[row.patient_id].append(CourseSummary(row.id, row.policy, int(row.version or 0), last))
    return {pid: tuple(items) for pid, items in found.items()}
