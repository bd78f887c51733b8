"""Which door a request came through, for the access log (``service.disclosures``)."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from isotrack.service import disclosures

# Longest prefixes first; every other path is a page of the web door.
_DOORS: tuple[tuple[str, str], ...] = (
    ("/api/v1/fhir", "fhir"),
    ("/fhir", "fhir"),
    ("/api/v1/cds-services", "cds-hooks"),
    ("/cds-services", "cds-hooks"),
    ("/api/v1/audit", "audit"),
    ("/audit", "audit"),
    ("/api/", "api"),
)


def door_of_path(path: str) -> str:
    return next((door for prefix, door in _DOORS if path.startswith(prefix)), "web")


class DoorOfRequest:
    """ASGI middleware: names the door of each HTTP request for the use cases it reaches."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = disclosures.entering(door_of_path(scope["path"]))
        try:
            await self.app(scope, receive, send)
        finally:
            disclosures.leaving(token)
