"""Every JSON request body of the API passes the strict reader before any route sees it.

FastAPI parses bodies with Python's ``json`` module, which accepts ``NaN`` and ``Infinity``,
keeps the last of two equal keys and recurses once per nesting level (a body nested 100 000
deep was a 500). This ASGI middleware reads the body once, runs
:func:`isotrack.domain.json_input.read_json` on it (bounded size and depth, finite numbers,
unique keys, UTF-8), answers a refusal as problem+json 400 naming the field, the value and
what is allowed, and hands the unchanged bytes on to the route otherwise.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from isotrack.api.problems import problem_for
from isotrack.domain.errors import FieldProblem, IsotrackInputError
from isotrack.domain.json_input import JsonLimits, read_json

# An event or a request is a few hundred bytes; a whole timeline import stays far below this.
REQUEST_LIMITS = JsonLimits(max_bytes=1024 * 1024, max_depth=32)


def _is_json(scope: Scope) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            media: bytes = value.split(b";", 1)[0].strip().lower()
            return media == b"application/json" or media.endswith(b"+json")
    return False


class JsonBodyGuard:
    """Refuse malformed or hostile JSON bodies on paths under ``prefix``."""

    def __init__(self, app: ASGIApp, prefix: str, limits: JsonLimits = REQUEST_LIMITS) -> None:
        self.app = app
        self.prefix = prefix
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] in ("GET", "HEAD", "OPTIONS", "DELETE")
            or not scope["path"].startswith(self.prefix)
            or not _is_json(scope)
        ):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size <= self.limits.max_bytes:
                chunks.append(chunk)
            more = bool(message.get("more_body", False))
        body = b"".join(chunks)
        if body.strip():
            try:
                if size > self.limits.max_bytes:
                    raise IsotrackInputError(
                        [
                            FieldProblem(
                                "request body",
                                "(size)",
                                f"{size} bytes",
                                f"at most {self.limits.max_bytes} bytes",
                            )
                        ],
                        "request body too large",
                    )
                read_json(body, document="request body", limits=self.limits)
            except IsotrackInputError as error:
                problem = problem_for(error)
                problem.status = 400
                problem.title = "Malformed request body"
                problem.kind = "malformed-body"
                await problem.response(scope["path"])(scope, receive, send)
                return
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)
