"""The isotrack service: ``create_app(settings)`` assembles the API and the web pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI

import isotrack
from isotrack.api.app import install_api
from isotrack.api.service import Service
from isotrack.api.settings import Settings
from isotrack.store.authorizations import AuthorizationWriter
from isotrack.store.database import open_database


def create_app(
    settings: Settings | None = None, *, today: Callable[[], dt.date] | None = None
) -> FastAPI:
    """The ASGI app. ``today`` replaces the service's calendar (tests, demonstrations)."""
    settings = settings or Settings.from_env()
    database = open_database(settings.database_url)
    service = Service(
        settings=settings,
        database=database,
        writer=AuthorizationWriter(database),
        today=today or dt.date.today,
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        service.writer.start()
        try:
            yield
        finally:
            service.writer.close()
            database.dispose()

    app = FastAPI(
        title="isotrack",
        version=isotrack.__version__,
        summary="Isotretinoin therapy management: courses, pregnancy-prevention programme, "
        "monitoring. Clinical decision support for licensed prescribers.",
        lifespan=lifespan,
    )
    app.state.service = service
    install_api(app)
    _mount_web_if_present(app)
    return app


def _mount_web_if_present(app: FastAPI) -> None:
    """The web pages are optional: mounted when ``isotrack.web.mount_web`` exists."""
    import isotrack.web as web

    mount = getattr(web, "mount_web", None)
    if callable(mount):
        mount(app)


def app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory isotrack.server:app_from_env`` (each worker calls it)."""
    return create_app(Settings.from_env())
