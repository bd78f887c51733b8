"""The OpenAPI document, completed: the bearer scheme, problem+json for every error status,
and the event body (the domain's ``Event`` union) of ``POST courses/{id}/events``.

The event route reads its body itself (the strict JSON reader, then ``parse_event`` with the
caller's role), so FastAPI cannot see its schema; it is added here from the same union.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import TypeAdapter

from isotrack.api.problems import PROBLEM_MEDIA_TYPE
from isotrack.domain.events import Event

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "location": {"type": "string"},
                    "field": {"type": "string"},
                    "value": {},
                    "allowed": {"type": "string"},
                },
            },
        },
    },
}
_ERROR_STATUSES = {
    "400": "malformed JSON body (depth, size, NaN/Infinity, duplicate key)",
    "401": "not signed in",
    "403": "not allowed for this role",
    "404": "not found, or not yours to see",
    "422": "invalid input: each field, its value and what is allowed",
    "429": "too many sign-in attempts: wait Retry-After seconds",
}
_PROBLEM_CONTENT = {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
_EVENTS_PATH = "/api/v1/courses/{course_id}/events"
_OPEN_PATHS = frozenset({"/api/v1/auth/token", "/api/v1/auth/login", "/healthz", "/readyz"})


def _document(app: FastAPI) -> dict[str, Any]:
    document = get_openapi(
        title=app.title, version=app.version, summary=app.summary, routes=app.routes
    )
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    event_schema = TypeAdapter(Event).json_schema(ref_template="#/components/schemas/{model}")
    for name, schema in event_schema.pop("$defs", {}).items():
        assert schemas.setdefault(name, schema) == schema, f"two schemas named {name}"
    schemas["Event"] = event_schema
    components["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
    document["security"] = [{"bearer": []}]
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            if path in _OPEN_PATHS:
                operation["security"] = []  # no token needed to get one
            responses = operation.setdefault("responses", {})
            for status, description in _ERROR_STATUSES.items():
                answer = responses.setdefault(status, {"description": description})
                answer["content"] = _PROBLEM_CONTENT
            if path == _EVENTS_PATH and method == "post":
                operation["requestBody"] = {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Event"}}
                    },
                }
    return document


def install_openapi(app: FastAPI) -> None:
    """Serve the completed document at ``/openapi.json`` (built once, on first request)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _document(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
