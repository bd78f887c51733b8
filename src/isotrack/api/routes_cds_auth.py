"""The CDS Hooks door's checks: the client's JWT, and answers as FHIR OperationOutcomes."""

from __future__ import annotations

import time
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from isotrack.api.dependencies import service_of
from isotrack.interop.cds.client_jwt import TokenRejected, VerifiedClient, verify_client_jwt
from isotrack.service import cds


def outcome(status: int, code: str, text: str, *, extra: list[str] | None = None,
            headers: dict[str, str] | None = None) -> JSONResponse:  # fmt: skip
    """A FHIR OperationOutcome answer: one issue per problem, in words a person can act on."""
    issues: list[dict[str, Any]] = [
        {"severity": "error", "code": code, "diagnostics": line} for line in [text, *(extra or [])]
    ]
    return JSONResponse(
        {"resourceType": "OperationOutcome", "issue": issues},
        status_code=status,
        media_type="application/fhir+json",
        headers=headers,
    )


def validation_lines(exc: ValidationError) -> list[str]:
    return [
        f"{'.'.join(str(p) for p in e['loc']) or '(body)'}: {e['msg']}"
        for e in exc.errors(include_url=False)
    ]


def called_url(request: Request) -> str:
    """The exact URL the client called, as the JWT's ``aud`` must name it."""
    public = service_of(request).settings.public_url
    if public:
        return public.rstrip("/") + request.url.path
    return str(request.url.replace(query=""))


def base_url(request: Request) -> str:
    public = service_of(request).settings.public_url
    return public.rstrip("/") if public else str(request.base_url).rstrip("/")


def _replay_guard(request: Request) -> cds.StoredReplayGuard:
    """The app's ``jti`` replay check (in the store: shared by every worker process)."""
    guard = getattr(request.app.state, "cds_replay_guard", None)
    if guard is None:
        guard = request.app.state.cds_replay_guard = cds.StoredReplayGuard(service_of(request))
    assert isinstance(guard, cds.StoredReplayGuard)
    return guard


def verified_client(request: Request) -> VerifiedClient | JSONResponse:
    """The client that signed this call, or the 401 answer saying why not."""
    service = service_of(request)
    try:
        return verify_client_jwt(
            request.headers.get("authorization"),
            called_url(request),
            lambda issuer: cds.client_jwks(service, issuer),
            _replay_guard(request),
            time.time(),
        )
    except TokenRejected as exc:
        return outcome(401, "login", str(exc), headers={"WWW-Authenticate": 'Bearer realm="cds"'})
