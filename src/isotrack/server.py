"""The isotrack service: ``create_app(settings)`` assembles the API and the web pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import Response

import isotrack
from isotrack.api.app import API_PREFIX, install_api
from isotrack.api.problems import domain_error_response
from isotrack.domain.errors import IsotrackError
from isotrack.service.context import open_service
from isotrack.service.settings import Settings
from isotrack.web import domain_error_page, mount_web

# Paths answered by machines (problem+json); every other path is a page (an HTML error page).
_MACHINE_PATHS = (API_PREFIX + "/", "/healthz", "/readyz", "/cds-services")


async def _domain_error(request: Request, exc: Exception) -> Response:
    """A use case's error, answered the way its door speaks, through that door's one table."""
    assert isinstance(exc, IsotrackError)
    if request.url.path.startswith(_MACHINE_PATHS):
        return domain_error_response(request, exc)
    return domain_error_page(request, exc)


def create_app(
    settings: Settings | None = None, *, today: Callable[[], dt.date] | None = None
) -> FastAPI:
    """The ASGI app. ``today`` replaces the service's calendar (tests, demonstrations)."""
    service = open_service(settings or Settings.from_env(), today=today)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        service.start()
        try:
            yield
        finally:
            service.close()

    app = FastAPI(
        title="isotrack",
        version=isotrack.__version__,
        summary="Isotretinoin therapy management: courses, pregnancy-prevention programme, "
        "monitoring. Clinical decision support for licensed prescribers.",
        lifespan=lifespan,
    )
    app.state.service = service
    install_api(app)
    mount_web(app)
    app.add_exception_handler(IsotrackError, _domain_error)
    return app


def app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory isotrack.server:app_from_env`` (each worker calls it)."""
    return create_app(Settings.from_env())
