"""The access log: one append-only row per disclosure of a patient's record.

Rows are written by the service layer's read and write use cases (``service.disclosures``);
the table refuses UPDATE and DELETE (triggers of migration 0003).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, insert, select
from sqlalchemy.sql.elements import ColumnElement

from isotrack.store.clock import utc_timestamp
from isotrack.store.tables import access_log


@dataclass(frozen=True)
class AccessEntry:
    """Who read or changed a patient's record, when, and through which door."""

    id: int
    at: str
    user_id: str
    username: str
    role: str
    patient_id: str
    course_id: str | None
    action: str
    door: str
    reason: str | None


# Built once: SQLAlchemy's compiled cache then serves every row (building ``.values(...)``
# per row cost more than the insert itself).
_APPEND = insert(access_log)


def append_access(
    connection: Connection,
    *,
    user_id: str,
    username: str,
    role: str,
    patient_id: str,
    course_id: str | None,
    action: str,
    door: str,
    reason: str | None = None,
) -> None:
    connection.execute(
        _APPEND,
        {
            "at": utc_timestamp(),
            "user_id": user_id,
            "username": username,
            "role": role,
            "patient_id": patient_id,
            "course_id": course_id,
            "action": action,
            "door": door,
            "reason": reason,
        },
    )


def opened_in_emergency_since(
    connection: Connection, user_id: str, patient_id: str, since: str
) -> bool:
    """Whether the user broke the glass on this patient's record at or after ``since`` (ISO
    8601 UTC text, compared as text as ``search_accesses`` does)."""
    found = connection.execute(
        select(access_log.c.id)
        .where(
            access_log.c.user_id == user_id,
            access_log.c.patient_id == patient_id,
            access_log.c.action == "break-glass",
            access_log.c.at >= since,
        )
        .limit(1)
    ).first()
    return found is not None


def accesses_of_patient(connection: Connection, patient_id: str) -> list[AccessEntry]:
    """Every recorded access to one patient's record, oldest first."""
    rows = connection.execute(
        select(access_log).where(access_log.c.patient_id == patient_id).order_by(access_log.c.id)
    ).all()
    return [AccessEntry(**row._asdict()) for row in rows]


def search_accesses(
    connection: Connection,
    *,
    username: str | None = None,
    course_id: str | None = None,
    since: str | None = None,
    before: str | None = None,
    limit: int = 500,
) -> tuple[list[AccessEntry], bool]:
    """Rows matching every given filter, newest first, and whether more matched than ``limit``.

    ``since``/``before`` compare with the ISO 8601 text of ``at`` (``2026-11-30`` is the start
    of that day), so the same query runs on SQLite and PostgreSQL.
    """
    conditions: list[ColumnElement[bool]] = []
    if username:
        conditions.append(access_log.c.username == username)
    if course_id:
        conditions.append(access_log.c.course_id == course_id)
    if since:
        conditions.append(access_log.c.at >= since)
    if before:
        conditions.append(access_log.c.at < before)
    rows = connection.execute(
        select(access_log).where(*conditions).order_by(access_log.c.id.desc()).limit(limit + 1)
    ).all()
    return [AccessEntry(**row._asdict()) for row in rows[:limit]], len(rows) > limit
