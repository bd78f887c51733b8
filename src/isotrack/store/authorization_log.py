"""The authorization log: where every dispense decision is committed before its answer leaves.

Behind it sit the process's group-commit writer thread (``group_commit.GroupCommit``), the
per-event-loop-turn batching (``decision_outbox.DecisionOutbox``) and, on SQLite, the writer
turns between processes. A use case hands over a record and gets back the committed record;
it never sees a Future, a queue or a lock file.
"""

from __future__ import annotations

from isotrack.store.authorizations import (
    AuthorizationRecord,
    AuthorizationWriter,
    authorization_by_code,
    authorization_by_key,
    authorizations_of_course,
)
from isotrack.store.database import Database
from isotrack.store.decision_outbox import DecisionOutbox
from isotrack.store.group_commit import GroupCommit


class AuthorizationLog:
    """Append-only dispense authorizations of one process: durable before answered."""

    def __init__(self, database: Database, commits: GroupCommit) -> None:
        self._database = database
        self.writer = AuthorizationWriter(commits)
        # Decisions of one event-loop turn are committed together (see decision_outbox).
        self._outbox = DecisionOutbox(self.writer)

    async def commit(self, record: AuthorizationRecord) -> AuthorizationRecord:
        """From the event loop: committed with the other decisions of this loop turn.

        Raises :class:`~isotrack.store.authorizations.DuplicateRequest` when the idempotency
        key was committed by a parallel request.
        """
        return await self._outbox.commit(record)

    def commit_waiting(self, record: AuthorizationRecord) -> AuthorizationRecord:
        """From a worker thread: blocks until the writer has committed the record."""
        return self.writer.submit(record).result()

    def by_code(self, code: str) -> AuthorizationRecord | None:
        with self._database.reading() as connection:
            return authorization_by_code(connection, code)

    def by_key(self, user_id: str, key: str) -> AuthorizationRecord | None:
        with self._database.reading() as connection:
            return authorization_by_key(connection, user_id, key)

    def of_course(self, course_id: str) -> list[AuthorizationRecord]:
        with self._database.reading() as connection:
            return authorizations_of_course(connection, course_id)
