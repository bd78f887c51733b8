"""``serve --access-log``: one line per request, without anything that identifies a patient.

uvicorn's own access log prints the full path and query string (a course id, a search for a
patient's name); this one prints the route's *template* (``/api/v1/courses/{course_id}``),
never the values in it, nor the query string, nor the client's address: the method, the
template, the status and the duration in milliseconds.
"""

from __future__ import annotations

import logging
import sys
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

ACCESS_LOGGER = "isotrack.access"
UNMATCHED = "(no route)"


def access_logger() -> logging.Logger:
    """The request log, writing to stderr at INFO whatever uvicorn's log level is."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s isotrack.access %(message)s"))
        logger.addHandler(handler)
        logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger


def route_template(scope: Scope) -> str:
    """The path with each value the router matched put back as its ``{name}``."""
    if scope.get("route") is None:
        return "/static/{file}" if scope["path"].startswith("/static/") else UNMATCHED
    by_value = {str(v): k for k, v in (scope.get("path_params") or {}).items()}
    segments = scope["path"].split("/")
    return "/".join(f"{{{by_value[s]}}}" if s in by_value else s for s in segments)


class RequestLog:
    """ASGI middleware writing one line per HTTP request to :data:`ACCESS_LOGGER`."""

    def __init__(self, app: ASGIApp, logger: logging.Logger | None = None) -> None:
        self.app = app
        self.logger = logger or access_logger()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # an exception that escapes every handler becomes uvicorn's 500

        async def remember_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, remember_status)
        finally:
            elapsed_ms = (time.perf_counter() - started) * 1000
            self.logger.info(
                "%s %s %d %.1fms", scope["method"], route_template(scope), status, elapsed_ms
            )
