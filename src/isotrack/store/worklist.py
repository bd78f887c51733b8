"""The today list's rows: written beside each event, read a page at a time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, Select, delete, func, insert, or_, select

from isotrack.domain.worklist_entry import QueueLine, WorklistEntry
from isotrack.store.tables import courses, patients, worklist


@dataclass(frozen=True)
class WorklistRow:
    """One course on the list, with the patient's name for the page and its search."""

    course_id: str
    patient_id: str
    patient_name: str
    policy: str
    entry: WorklistEntry


def _queue_columns(line: QueueLine | None) -> dict[str, object]:
    if line is None:
        return {}
    return {
        "queue_order": 0 if line.may_dispense else 1,
        "rx_id": line.prescription_id,
        "rx_written_on": line.written_on,
        "rx_product": line.product_name[:200],
        "rx_strength": line.strength[:200],
        "rx_daily_dose_mg": line.daily_dose_mg,
        "rx_days_supply": line.days_supply,
        "rx_signer": line.signer[:80],
        "dispense_by": line.dispense_by,
        "decision": line.decision_json,
    }


def save_entry(
    connection: Connection, course_id: str, entry: WorklistEntry, waiting: QueueLine | None
) -> None:
    """Replace the course's row (inside the caller's transaction), with the course's patient,
    prescriber and policy copied beside it, and its prescription waiting at the pharmacy."""
    owner = connection.execute(
        select(
            courses.c.patient_id, courses.c.policy, patients.c.display_name,
            patients.c.prescriber_user_id,
        )
        .join(patients, patients.c.id == courses.c.patient_id)
        .where(courses.c.id == course_id)
    ).one()  # fmt: skip
    connection.execute(delete(worklist).where(worklist.c.course_id == course_id))
    connection.execute(
        insert(worklist).values(
            course_id=course_id,
            as_of=entry.as_of,
            status=entry.status,
            urgency=entry.urgency,
            next_due=entry.next_due,
            open_alerts=entry.open_alerts,
            open_critical_alerts=entry.open_critical_alerts,
            open_holds=entry.open_holds,
            blocking_requirement=entry.blocking_requirement[:300],
            hold_item9=entry.hold_item9,
            hold_since=entry.hold_since,
            no_longer_applies=" ".join(entry.no_longer_applies)[:300],
            treatment_began=entry.treatment_began,
            prescriber_user_id=owner.prescriber_user_id,
            patient_id=owner.patient_id,
            patient_name=owner.display_name,
            policy=owner.policy,
            **_queue_columns(waiting),
        )
    )


def current_course_ids(connection: Connection) -> list[str]:
    """The latest course of every patient: the ones a today list shows."""
    latest = (
        select(courses.c.patient_id, func.max(courses.c.created_at).label("created_at"))
        .group_by(courses.c.patient_id)
        .subquery()
    )
    query = select(courses.c.id).join(
        latest,
        (courses.c.patient_id == latest.c.patient_id)
        & (courses.c.created_at == latest.c.created_at),
    )
    return list(connection.execute(query.order_by(courses.c.id)).scalars())


def page_of_rows(
    connection: Connection,
    prescriber_user_id: str,
    *,
    offset: int,
    limit: int,
    name_contains: str = "",
    statuses: Sequence[str] = (),
) -> tuple[list[WorklistRow], int]:
    """One page of a prescriber's rows, most urgent first, and how many rows match in all
    (one table, read along ``ix_worklist_list``)."""
    where = [worklist.c.prescriber_user_id == prescriber_user_id]
    if name_contains:
        pattern = "%" + name_contains.lower().replace("%", "").replace("_", "") + "%"
        where.append(
            or_(func.lower(worklist.c.patient_name).like(pattern),
                worklist.c.patient_id == name_contains)
        )  # fmt: skip
    if statuses:
        where.append(worklist.c.status.in_(list(statuses)))
    total = connection.execute(select(func.count()).select_from(worklist).where(*where))
    query = (
        select(worklist)
        .where(*where)
        .order_by(worklist.c.urgency, worklist.c.next_due, worklist.c.patient_name)
        .offset(offset)
        .limit(limit)
    )
    rows = [
        WorklistRow(
            course_id=r.course_id,
            patient_id=r.patient_id,
            patient_name=r.patient_name,
            policy=r.policy,
            entry=WorklistEntry(
                as_of=r.as_of,
                status=r.status,
                next_due=r.next_due,
                open_alerts=r.open_alerts,
                open_critical_alerts=r.open_critical_alerts,
                open_holds=r.open_holds,
                blocking_requirement=r.blocking_requirement,
                hold_item9=bool(r.hold_item9),
                hold_since=r.hold_since,
                no_longer_applies=tuple(r.no_longer_applies.split()),
                treatment_began=r.treatment_began,
            ),
        )
        for r in connection.execute(query)
    ]
    return rows, int(total.scalar_one())


def stale_course_ids(connection: Connection, on: dt.date) -> list[str]:
    """Rows computed before ``on``: what the daily refresh rewrites."""
    query = select(worklist.c.course_id).where(worklist.c.as_of < on)
    return list(connection.execute(query).scalars())


def drop_rows_of_patient(connection: Connection, patient_id: str) -> None:
    """Remove the rows of a patient's courses (before their new course's row is written)."""
    of_patient = select(courses.c.id).where(courses.c.patient_id == patient_id)
    connection.execute(delete(worklist).where(worklist.c.course_id.in_(of_patient)))


def _current_courses_of(prescriber_user_id: str | None) -> Select[tuple[str, str]]:
    """(course id, patient id) of the latest course of each patient in a prescriber's care
    (every patient's with ``None``)."""
    latest_query = (
        select(courses.c.patient_id, func.max(courses.c.created_at).label("created_at"))
        .join(patients, patients.c.id == courses.c.patient_id)
        .group_by(courses.c.patient_id)
    )
    if prescriber_user_id is not None:
        latest_query = latest_query.where(patients.c.prescriber_user_id == prescriber_user_id)
    latest = latest_query.subquery()
    return select(courses.c.id, courses.c.patient_id).join(
        latest,
        (courses.c.patient_id == latest.c.patient_id)
        & (courses.c.created_at == latest.c.created_at),
    )


def rows_behind(
    connection: Connection, prescriber_user_id: str | None, on: dt.date, *, waiting: bool = False
) -> list[str]:
    """A prescriber's current courses (everyone's with ``None``) whose row is missing or was
    computed before ``on``; with ``waiting``, of the stale rows only those of a prescription
    waiting at the pharmacy (the calendar alone never makes one wait).

    Two index reads when nothing is behind (the usual case): rows older than ``on``, and the
    count of rows against the count of patients (each patient has one current course, and only
    current courses keep a row). Only when the counts differ are the current courses listed.
    """
    mine = (
        [] if prescriber_user_id is None else [worklist.c.prescriber_user_id == prescriber_user_id]
    )
    cared = (
        [] if prescriber_user_id is None else [patients.c.prescriber_user_id == prescriber_user_id]
    )
    old = [worklist.c.as_of < on] + ([worklist.c.queue_order.is_not(None)] if waiting else [])
    stale = list(connection.execute(select(worklist.c.course_id).where(*mine, *old)).scalars())
    rows = connection.execute(select(func.count()).select_from(worklist).where(*mine)).scalar_one()
    in_care = connection.execute(
        select(func.count()).select_from(patients).where(*cared)
    ).scalar_one()
    if rows == in_care:
        return sorted(stale)
    current = _current_courses_of(prescriber_user_id).subquery()
    missing = (
        select(current.c.id)
        .outerjoin(worklist, worklist.c.course_id == current.c.id)
        .where(worklist.c.course_id.is_(None))
    )
    return sorted({*stale, *connection.execute(missing).scalars()})


def held_courses(
    connection: Connection, prescriber_user_id: str, limit: int
) -> tuple[list[tuple[str, str]], int]:
    """(course id, patient name) of the first ``limit`` of a prescriber's rows with an open
    clinical hold (an item-9 answer first, then the longest held), and how many there are."""
    where = (worklist.c.prescriber_user_id == prescriber_user_id, worklist.c.open_holds > 0)
    total = connection.execute(select(func.count()).select_from(worklist).where(*where))
    query = (
        select(worklist.c.course_id, worklist.c.patient_name)
        .where(*where)
        .order_by(
            worklist.c.hold_item9.desc(),
            worklist.c.hold_since,
            worklist.c.patient_name,
            worklist.c.course_id,
        )
        .limit(limit)
    )
    found = [(r.course_id, r.patient_name) for r in connection.execute(query)]
    return found, int(total.scalar_one())
