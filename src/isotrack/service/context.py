"""What every use case shares: settings, the store, the knowledge base, the calendar."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from isotrack.knowledge import Knowledge, load_knowledge
from isotrack.service.settings import Settings
from isotrack.store.authorization_log import AuthorizationLog
from isotrack.store.database import Database, open_database
from isotrack.store.fast_reads import FastReads


@dataclass
class Service:
    """One per process. ``authorizations`` and ``reads`` are the store's fast paths (group
    commit, direct reads); use cases call them and see neither threads nor cursors."""

    settings: Settings
    database: Database
    authorizations: AuthorizationLog
    reads: FastReads
    # The service's calendar date; engines never read a clock, so it is passed in from here.
    today: Callable[[], dt.date] = dt.date.today
    # The wall clock in epoch seconds, for time-based sign-in codes (tests set a fixed one).
    now: Callable[[], float] = time.time
    # Runs a population audit (``service.audit_runs.AuditRunner``); set by the composition
    # root, since the service may not import the audit package.
    audit_runner: Callable[..., Any] | None = None
    _knowledge: Knowledge | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def knowledge(self) -> Knowledge:
        """The knowledge base, loaded on first use (a broken one fails that request loudly)."""
        if self._knowledge is None:
            with self._lock:
                if self._knowledge is None:
                    self._knowledge = load_knowledge()
        return self._knowledge

    def start(self) -> None:
        """Start the background writer (call once the process serves requests)."""
        self.authorizations.start()

    def close(self) -> None:
        self.authorizations.close()
        self.database.dispose()


def open_service(
    settings: Settings, *, today: Callable[[], dt.date] | None = None, pool_size: int = 20
) -> Service:
    database = open_database(settings.database_url, pool_size=pool_size)
    return Service(
        settings=settings,
        database=database,
        authorizations=AuthorizationLog(database),
        reads=FastReads(database),
        today=today or dt.date.today,
    )
