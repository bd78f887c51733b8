"""Every course of the store, streamed for a population audit: one page of courses at a time
(keyset pagination on the course id), each read with its events in recording order."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import func, select

from isotrack.store.course_records import StoredCourse
from isotrack.store.courses import read_course
from isotrack.store.database import Database
from isotrack.store.tables import courses


def count_courses(database: Database) -> int:
    with database.reading() as connection:
        return int(connection.execute(select(func.count()).select_from(courses)).scalar_one())


def stream_courses(database: Database, page_size: int) -> Iterator[list[StoredCourse]]:
    """Pages of at most ``page_size`` courses; each page is its own short read transaction,
    so a long audit holds no snapshot (and no lock) while the engines work."""
    after = ""
    while True:
        with database.reading() as connection:
            ids = list(
                connection.execute(
                    select(courses.c.id)
                    .where(courses.c.id > after)
                    .order_by(courses.c.id)
                    .limit(page_size)
                ).scalars()
            )
            if not ids:
                return
            page = [read_course(connection, course_id) for course_id in ids]
        yield page
        after = ids[-1]
