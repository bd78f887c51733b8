"""The isotrack service: ``create_app(settings)`` assembles the API and the web pages."""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import Response

import isotrack
from isotrack.api.app import API_PREFIX, install_api
from isotrack.api.body_guard import JsonBodyGuard
from isotrack.api.docs import install_docs
from isotrack.api.doors import DoorOfRequest
from isotrack.api.openapi_doc import install_openapi
from isotrack.api.problems import domain_error_response
from isotrack.api.request_log import RequestLog
from isotrack.api.transport import TransportHeaders
from isotrack.audit.run import run_to_folder
from isotrack.domain.errors import IsotrackError
from isotrack.interop.cds.prefetch import tls_context
from isotrack.service.context import Service, open_service
from isotrack.service.settings import Settings
from isotrack.service.worklist import refresh_worklist
from isotrack.web import domain_error_page, mount_web
from isotrack.web.reminder_mail import send_due_reminders

# Paths answered by machines (problem+json); every other path is a page (an HTML error page).
_MACHINE_PATHS = (API_PREFIX + "/", "/healthz", "/readyz", "/cds-services")


async def _domain_error(request: Request, exc: Exception) -> Response:
    """A use case's error, answered the way its door speaks, through that door's one table."""
    assert isinstance(exc, IsotrackError)
    if request.url.path.startswith(_MACHINE_PATHS):
        return domain_error_response(request, exc)
    return domain_error_page(request, exc)


def _seconds_to_next_day(now: dt.datetime) -> float:
    """Until a minute past the next local midnight, when date-driven changes take effect."""
    tomorrow = dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time(0, 1))
    return (tomorrow - now).total_seconds()


async def _refresh_daily(*jobs: tuple[str, Callable[[], int]]) -> None:
    """Once a day: rewrite the today list's stale rows (``isotrack serve`` refreshes at
    start), then send the patients' reminder e-mails."""
    while True:
        await asyncio.sleep(_seconds_to_next_day(dt.datetime.now()))
        for name, job in jobs:
            try:
                await asyncio.to_thread(job)
            except Exception:  # a failed job must not stop the others or tomorrow's; logged
                logging.getLogger(f"isotrack.{name}").exception("daily %s failed", name)


def _warm_up(service: Service) -> None:
    service.knowledge()
    tls_context()
    # What lives as long as the process (modules, the knowledge base, the app) leaves the
    # cyclic collector's view, so that its full collections during requests skip it.
    gc.freeze()


def create_app(
    settings: Settings | None = None, *, today: Callable[[], dt.date] | None = None
) -> FastAPI:
    """The ASGI app. ``today`` replaces the service's calendar (tests, demonstrations)."""
    service = open_service(settings or Settings.from_env(), today=today)
    service.audit_runner = run_to_folder

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        service.start()
        daily = asyncio.create_task(
            _refresh_daily(
                ("worklist", lambda: refresh_worklist(service)),
                ("reminders", lambda: send_due_reminders(service)),
            )
        )
        # Off the loop, so the first request that needs them does not wait: the knowledge
        # base, and the TLS context for fetching from an EHR's FHIR server.
        loading = asyncio.create_task(asyncio.to_thread(_warm_up, service))
        try:
            yield
        finally:
            daily.cancel()
            loading.cancel()
            service.close()

    app = FastAPI(
        title="isotrack",
        version=isotrack.__version__,
        summary="Isotretinoin therapy management: courses, pregnancy-prevention programme, "
        "monitoring. Clinical decision support for licensed prescribers.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.service = service
    install_api(app)
    install_docs(app)
    install_openapi(app)
    mount_web(app)
    app.add_exception_handler(IsotrackError, _domain_error)
    # Outermost last: the request log sees the final status, the headers reach every answer
    # (errors included), and no route sees a body the strict JSON reader refused.
    app.add_middleware(JsonBodyGuard, prefix=API_PREFIX + "/")
    app.add_middleware(DoorOfRequest)
    app.add_middleware(TransportHeaders)
    if service.settings.access_log:
        app.add_middleware(RequestLog)
    return app


def app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory isotrack.server:app_from_env`` (each worker calls it)."""
    return create_app(Settings.from_env())
