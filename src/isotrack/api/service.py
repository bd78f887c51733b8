"""What every request shares: the store, the knowledge base, settings, the date, the writer."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from fastapi import Request

from isotrack.api.decision_outbox import DecisionOutbox
from isotrack.api.settings import Settings
from isotrack.knowledge import Knowledge, load_knowledge
from isotrack.store.authorizations import AuthorizationWriter
from isotrack.store.database import Database
from isotrack.store.users import LoginLimit


@dataclass
class Service:
    settings: Settings
    database: Database
    writer: AuthorizationWriter
    # The service's calendar date; engines never read a clock, so it is passed in from here.
    today: Callable[[], dt.date] = dt.date.today
    _knowledge: Knowledge | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    # Decisions of one event-loop turn are committed together (see decision_outbox).
    outbox: DecisionOutbox = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.outbox = DecisionOutbox(self.writer)

    def knowledge(self) -> Knowledge:
        """The knowledge base, loaded on first use (a broken one fails that request loudly)."""
        if self._knowledge is None:
            with self._lock:
                if self._knowledge is None:
                    self._knowledge = load_knowledge()
        return self._knowledge

    @property
    def login_limit(self) -> LoginLimit:
        return LoginLimit(self.settings.login_max_failures, self.settings.login_window_seconds)


def service_of(request: Request) -> Service:
    """The app's :class:`Service`."""
    service = request.app.state.service
    assert isinstance(service, Service)
    return service


async def get_service(request: Request) -> Service:
    """FastAPI dependency: the app's :class:`Service`.

    Declared ``async`` because FastAPI runs a plain ``def`` dependency on a worker thread,
    and a thread hand-off on every request costs more than this whole function.
    """
    return service_of(request)
