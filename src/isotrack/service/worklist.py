"""The prescriber's today list, read from the worklist rows the store keeps per course.

Each row is worked out by the engines (``engines/worklist.py``) in the transaction that appends
an event to the course, and again once a day (``refresh_worklist``; ``isotrack worklist
refresh`` and the daily task of ``isotrack serve``) for what the calendar alone changes: a test
falling due, a window closing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection

from isotrack.domain.errors import FieldProblem, IsotrackInputError
from isotrack.domain.timeline import Timeline
from isotrack.domain.worklist_entry import STATUS_ORDER
from isotrack.engines.worklist import worklist_entry
from isotrack.service.access import Action, require, require_patient
from isotrack.service.context import Service
from isotrack.service.disclosures import record_accesses
from isotrack.service.paging import ListPage, paging_problems
from isotrack.service.queue_line import queue_line
from isotrack.store.courses import read_course
from isotrack.store.users import User
from isotrack.store.worklist import (
    WorklistRow,
    current_course_ids,
    held_courses,
    page_of_rows,
    rows_behind,
    save_entry,
    stale_course_ids,
)

WorklistPage = ListPage[WorklistRow]


def update_row(
    service: Service, connection: Connection, course_id: str, timeline: Timeline
) -> None:
    """Rewrite one course's row inside the caller's transaction (the event's own), with its
    line on the pharmacy's queue."""
    knowledge, on = service.knowledge(), service.today()
    entry = worklist_entry(knowledge, timeline, on)
    save_entry(
        connection, course_id, entry, queue_line(knowledge, connection, course_id, timeline, on)
    )


def refresh_worklist(service: Service, *, everything: bool = False) -> int:
    """Rewrite the rows computed before today (every current course's with ``everything``, or
    when a course has none yet); the number of rows written."""
    on = service.today()
    with service.database.reading() as connection:
        wanted = set(current_course_ids(connection))
        stale = set(stale_course_ids(connection, on))
        missing = wanted - set(stale_course_ids(connection, dt.date.max))
    chosen = sorted(wanted if everything else (stale & wanted) | missing)
    for course_id in chosen:
        with service.database.writing() as connection:
            timeline = read_course(connection, course_id).timeline()
            update_row(service, connection, course_id, timeline)
    return len(chosen)


def bring_rows_up_to_date(service: Service, user: User) -> int:
    """Rewrite the user's rows that are missing or were worked out before today; how many.

    The daily task of ``serve`` normally leaves nothing to do here (one query); it matters when
    the calendar moved without it (a server started before midnight whose task has not run, a
    store filled by import), so the list never shows yesterday's status as today's.
    """
    require(user, Action.LIST_PATIENTS)
    return rewrite_rows_behind(service, user.care_prescriber_id or "")


def rewrite_rows_behind(
    service: Service, prescriber_user_id: str | None, *, waiting: bool = False
) -> int:
    """Rewrite the rows (of one prescriber, or everyone's with ``None``) that are missing or
    were worked out before today, of waiting prescriptions only with ``waiting``; how many."""
    on = service.today()
    with service.database.reading() as connection:
        behind = rows_behind(connection, prescriber_user_id, on, waiting=waiting)
    for course_id in behind:
        with service.database.writing() as connection:
            timeline = read_course(connection, course_id).timeline()
            update_row(service, connection, course_id, timeline)
    return len(behind)


@dataclass(frozen=True)
class HeldCourse:
    course_id: str
    patient_name: str
    timeline: Timeline


def courses_on_hold(service: Service, user: User, limit: int) -> tuple[list[HeldCourse], int]:
    """The first ``limit`` of the user's current courses with an open clinical hold (an item-9
    answer first, then the longest held), read for the today page's open alerts; and how many
    there are in all. Each read is in the access log, written in one transaction."""
    require(user, Action.READ_COURSE)
    with service.database.reading() as connection:
        held, total = held_courses(connection, user.care_prescriber_id or "", limit)
        stored = [(read_course(connection, course_id), name) for course_id, name in held]
    for course, _ in stored:  # the user's own patients: checked as any read is
        require_patient(user, Action.READ_COURSE, course.header.patient_id,
                        course.header.prescriber_user_id)  # fmt: skip
    record_accesses(service, user, [(c.header.patient_id, c.header.id) for c, _ in stored], "read")
    return [HeldCourse(c.header.id, name, c.timeline()) for c, name in stored], total


def today_worklist(
    service: Service,
    user: User,
    *,
    page: int = 1,
    page_size: int = 50,
    q: str = "",
    filter: str = "",
) -> WorklistPage:
    """One page of the user's patients, most urgent first; ``q`` searches names (or a patient
    id), ``filter`` keeps one status (``critical``, ``blocked``, ``due`` …)."""
    require(user, Action.LIST_PATIENTS)
    problems = paging_problems(page, page_size)
    if filter and filter not in STATUS_ORDER:
        problems.append(FieldProblem("query", "filter", filter, ", ".join(STATUS_ORDER)))
    if problems:
        raise IsotrackInputError(problems, "the today list cannot be shown this way")
    with service.database.reading() as connection:
        rows, total = page_of_rows(
            connection,
            user.care_prescriber_id or "",
            offset=(page - 1) * page_size,
            limit=page_size,
            name_contains=q.strip(),
            statuses=[filter] if filter else [],
        )
    return WorklistPage(rows, total, page, page_size)
