"""What every use case shares: settings, the store, the knowledge base, the calendar."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from isotrack.knowledge import Knowledge, clinic_knowledge, load_knowledge
from isotrack.service.programme_overlay import overlay_of
from isotrack.service.settings import Settings
from isotrack.store import clinic_settings as stored_settings
from isotrack.store.authorization_log import AuthorizationLog
from isotrack.store.database import Database, open_database
from isotrack.store.fast_reads import FastReads
from isotrack.store.group_commit import GroupCommit


@dataclass
class Service:
    """One per process. ``authorizations``, ``commits`` and ``reads`` are the store's fast paths
    (the authorization log and the group commit under it, direct reads); use cases call them
    and see neither threads nor cursors."""

    settings: Settings
    database: Database
    authorizations: AuthorizationLog
    # The process's one group-commit writer: the authorization log's, and CDS Hooks' small rows.
    commits: GroupCommit
    reads: FastReads
    # The service's calendar date; engines never read a clock, so it is passed in from here.
    today: Callable[[], dt.date] = dt.date.today
    # The wall clock in epoch seconds, for time-based sign-in codes (tests set a fixed one).
    now: Callable[[], float] = time.time
    # Runs a population audit (``service.audit_runs.AuditRunner``); set by the composition
    # root, since the service may not import the audit package.
    audit_runner: Callable[..., Any] | None = None
    _knowledge: Knowledge | None = field(default=None, repr=False)
    _knowledge_stamp: int = field(default=-1, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def knowledge(self) -> Knowledge:
        """The clinic's knowledge base: the packaged one with the admin's programme settings
        laid over its policies (``programme_overlay``). Every use case that decides asks here,
        so the dispense decision, the worklist, CDS Hooks, FHIR and the CLI judge with the same
        policies. One indexed read per call finds whether any process changed a setting since
        the base was built; a broken one fails that request loudly."""
        return self.knowledge_in_force()[0]

    def knowledge_in_force(self) -> tuple[Knowledge, int]:
        """The knowledge base and which change of the clinic's settings it was built from,
        read together: an answer kept for later calls keys on the second, so a setting changed
        by an admin is not hidden behind an answer worked out under the old one, and a request
        that needs both pays for one read."""
        stamp = self._settings_stamp()
        with self._lock:
            if self._knowledge is None or stamp != self._knowledge_stamp:
                with self.database.reading() as connection:
                    stored = stored_settings.current_settings(connection)
                    stamp = stored_settings.newest_change_id(connection)
                built = clinic_knowledge(overlay_of(load_knowledge(), stored))
                self._knowledge, self._knowledge_stamp = built, stamp
            return self._knowledge, self._knowledge_stamp

    def _settings_stamp(self) -> int:
        # On the event loop's thread (a dispense decision), the loop's own connection: no
        # pool checkout on the hot path; elsewhere a pooled connection.
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return self.reads.settings_stamp_pooled()
        return self.reads.settings_stamp()

    def start(self) -> None:
        """Start the background writer (call once the process serves requests)."""
        self.commits.start()

    def close(self) -> None:
        self.commits.close()
        self.database.dispose()


def open_service(
    settings: Settings, *, today: Callable[[], dt.date] | None = None, pool_size: int = 20
) -> Service:
    database = open_database(settings.database_url, pool_size=pool_size)
    commits = GroupCommit(database)
    return Service(
        settings=settings,
        database=database,
        authorizations=AuthorizationLog(database, commits),
        commits=commits,
        reads=FastReads(database),
        today=today or dt.date.today,
    )
