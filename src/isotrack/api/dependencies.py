"""FastAPI's handle on the process's :class:`isotrack.service.context.Service`."""

from __future__ import annotations

from fastapi import Request

from isotrack.service.context import Service


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
