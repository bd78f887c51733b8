"""The fast read path: the reads every hot request makes, on the event loop's thread.

A session by its token and a whole course by its id, each one statement compiled once per
dialect (``statements.PreparedQuery``) and run on the loop thread's own autocommit driver
connection (``Database.direct()``): no thread hand-off, no pool checkout. Callers off the
event loop use the ``*_pooled`` reads, which borrows a pooled connection instead so
that the number of open connections stays bounded by the pool.
"""

from __future__ import annotations

from isotrack.store.clinic_settings import newest_change_id
from isotrack.store.courses import StoredCourse, read_course
from isotrack.store.database import Database
from isotrack.store.users import ActiveSession, session_for_token


class FastReads:
    def __init__(self, database: Database) -> None:
        self._database = database

    def session(self, token: str) -> ActiveSession | None:
        """The live session of a token, or None (event-loop thread only)."""
        with self._database.direct() as reader:
            return session_for_token(reader, token)

    def session_pooled(self, token: str) -> ActiveSession | None:
        """The same read on a pooled connection, for worker threads."""
        with self._database.reading() as connection:
            return session_for_token(connection, token)

    def settings_stamp(self) -> int:
        """The newest clinic-settings change id (event-loop thread only)."""
        with self._database.direct() as reader:
            return newest_change_id(reader)

    def settings_stamp_pooled(self) -> int:
        with self._database.reading() as connection:
            return newest_change_id(connection)

    def course(self, course_id: str) -> StoredCourse:
        """The whole course (event-loop thread only); raises ``courses.NotFound``."""
        with self._database.direct() as reader:
            return read_course(reader, course_id)

    def course_pooled(self, course_id: str) -> StoredCourse:
        """The same read on a pooled connection, for worker threads."""
        with self._database.reading() as connection:
            return read_course(connection, course_id)
