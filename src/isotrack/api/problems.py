"""RFC 9457 problem details: every error names the field, the value and what is allowed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from isotrack.domain.errors import (
    ActionNotAllowed,
    ClinicalHoldsUnreviewed,
    ConcurrentChange,
    EventTypeNotAllowed,
    FieldProblem,
    IdempotencyKeyReused,
    IsotrackError,
    IsotrackInputError,
    RecordNotFound,
    SecondFactorNotSetUp,
    SecondFactorRequired,
    SignInFailed,
    SignInThrottled,
    VersionMismatch,
    WarningsNotConfirmed,
)

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://isotrack.invalid/problems/"


class Problem(Exception):
    """An error answered as problem+json. ``errors`` lists each rejected field."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str | None = None,
        *,
        kind: str | None = None,
        errors: Sequence[Mapping[str, Any]] = (),
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        self.status = status
        self.title = title
        self.detail = detail
        self.kind = kind or title.lower().replace(" ", "-")
        self.errors = [dict(e) for e in errors]
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})
        super().__init__(f"{status} {title}: {detail or ''}")

    def body(self, instance: str | None = None) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "type": PROBLEM_TYPE_BASE + self.kind,
            "title": self.title,
            "status": self.status,
        }
        if self.detail:
            payload["detail"] = self.detail
        if instance:
            payload["instance"] = instance
        if self.errors:
            payload["errors"] = self.errors
        payload.update(self.extra)
        return payload

    def response(self, instance: str | None = None) -> JSONResponse:
        return JSONResponse(
            self.body(instance),
            status_code=self.status,
            headers=self.headers,
            media_type=PROBLEM_MEDIA_TYPE,
        )


def field_error(location: str, field: str, value: Any, allowed: str) -> dict[str, Any]:
    return {"location": location, "field": field, "value": _jsonable(value), "allowed": allowed}


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)


# The one table from the domain's errors to problem+json: (status, title, kind). A subclass
# not listed answers as its nearest listed ancestor; an error of the hierarchy that reaches no
# row is a 500 (a use case raised something no door knows how to explain).
PROBLEM_TABLE: dict[type[IsotrackError], tuple[int, str, str]] = {
    IsotrackInputError: (422, "Invalid input", "invalid-input"),
    RecordNotFound: (404, "Not found", "not-found"),
    ActionNotAllowed: (403, "Not allowed", "forbidden"),
    EventTypeNotAllowed: (403, "Not allowed", "event-type-forbidden"),
    VersionMismatch: (412, "Precondition failed", "version-mismatch"),
    ConcurrentChange: (409, "Conflict", "conflict"),
    IdempotencyKeyReused: (422, "Idempotency-Key reused", "idempotency-key-reused"),
    SignInFailed: (401, "Sign-in failed", "sign-in-failed"),
    SecondFactorRequired: (401, "Code needed", "second-factor-required"),
    SecondFactorNotSetUp: (403, "Second factor not set up", "second-factor-not-set-up"),
    SignInThrottled: (429, "Too many sign-in attempts", "login-throttled"),
    ClinicalHoldsUnreviewed: (422, "Clinical hold not reviewed", "clinical-hold-unreviewed"),
    WarningsNotConfirmed: (409, "Warnings to confirm", "confirmation-required"),
}


def problem_for(error: IsotrackError) -> Problem:
    """The problem+json answer for a domain error, through :data:`PROBLEM_TABLE`."""
    row = next((PROBLEM_TABLE[c] for c in type(error).__mro__ if c in PROBLEM_TABLE), None)
    status, title, kind = row or (500, "Internal error", "internal-error")
    headers: dict[str, str] = {}
    extra: dict[str, Any] = {}
    if isinstance(error, VersionMismatch):
        headers["ETag"] = error.current_etag
        extra["current_version"] = error.current
    elif isinstance(error, ConcurrentChange):
        extra["current_version"] = error.current
    elif isinstance(error, ClinicalHoldsUnreviewed):
        extra["clinical_holds"] = error.holds
    elif isinstance(error, WarningsNotConfirmed):
        extra["warnings"] = error.warnings
    elif isinstance(error, SignInThrottled):
        headers["Retry-After"] = str(error.retry_after_seconds)
    return Problem(
        status,
        title,
        error.summary,
        kind=kind,
        errors=[_from_field_problem(p) for p in error.problems],
        headers=headers,
        extra=extra,
    )


def invalid_input(error: IsotrackInputError) -> Problem:
    """422 for input the domain rejected, one entry per field problem."""
    return problem_for(error)


def _from_field_problem(problem: FieldProblem) -> dict[str, Any]:
    return field_error(problem.location, problem.field, problem.value, problem.allowed)


def _allowed_from_pydantic(error: Mapping[str, Any]) -> str:
    ctx = error.get("ctx") or {}
    bounds = {"gt": "greater than", "ge": "at least", "lt": "less than", "le": "at most"}
    limits = [f"{word} {ctx[key]}" for key, word in bounds.items() if key in ctx]
    if limits:
        return "a number " + " and ".join(limits)
    if "expected" in ctx:
        return f"one of {ctx['expected']}"
    if "pattern" in ctx:
        return f"text matching {ctx['pattern']}"
    if error.get("type") == "missing":
        return "a value (this field is required)"
    if error.get("type") == "extra_forbidden":
        return "no such field (check the spelling)"
    return str(error.get("msg", "a valid value"))


def _request_validation(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = []
    for error in exc.errors():
        loc = [str(p) for p in error.get("loc", ())]
        location = loc[0] if loc else "request"
        field = ".".join(loc[1:]) or location
        value = None if error.get("type") == "missing" else error.get("input")
        errors.append(field_error(location, field, value, _allowed_from_pydantic(error)))
    problem = Problem(
        422, "Invalid input", "the request was rejected", kind="invalid-input", errors=errors
    )
    return problem.response(request.url.path)


def domain_error_response(request: Request, error: IsotrackError) -> JSONResponse:
    """A use case's error as problem+json (the app's composition root routes API paths here)."""
    return problem_for(error).response(request.url.path)


def install_problem_handlers(app: FastAPI) -> None:
    """Make every error of the HTTP layer leave the service as problem+json (the domain's
    errors are routed by ``isotrack.server``, which knows the pages too)."""

    async def on_problem(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, Problem)
        return exc.response(request.url.path)

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return _request_validation(request, exc)

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        titles = {404: "Not found", 405: "Method not allowed", 401: "Not signed in"}
        problem = Problem(
            exc.status_code,
            titles.get(exc.status_code, "Error"),
            str(exc.detail) if exc.detail else None,
            headers=exc.headers,
        )
        return problem.response(request.url.path)

    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
