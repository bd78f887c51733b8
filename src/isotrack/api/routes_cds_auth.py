"""The CDS Hooks door's checks: the client's JWT, and answers as FHIR OperationOutcomes."""

from __future__ import annotations

import time
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from isotrack.api.dependencies import service_of
from isotrack.interop.cds.client_jwt import (
    REPLAYED,
    TokenRejected,
    VerifiedClient,
    verify_client_jwt,
)
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


def call_journal(request: Request) -> cds.CallJournal:
    """This worker's journal of CDS calls (used ``jti``, access-log rows): in the store,
    shared by every worker process, written by group commit."""
    journal = getattr(request.app.state, "cds_call_journal", None)
    if journal is None:
        journal = request.app.state.cds_call_journal = cds.CallJournal(service_of(request))
    assert isinstance(journal, cds.CallJournal)
    return journal


def refused(reason: str) -> JSONResponse:
    return outcome(401, "login", reason, headers={"WWW-Authenticate": 'Bearer realm="cds"'})


def verified_client(request: Request) -> VerifiedClient | JSONResponse:
    """The client that signed this call, or the 401 answer saying why not. Its ``jti`` is
    still to be noted (:func:`first_use`), with what the call discloses."""
    service = service_of(request)
    try:
        return verify_client_jwt(
            request.headers.get("authorization"),
            called_url(request),
            lambda issuer: cds.client_jwks(service, issuer),
        )
    except TokenRejected as exc:
        return refused(str(exc))


async def first_use(
    request: Request, client: VerifiedClient, disclosed: cds.EhrPatient | None = None
) -> JSONResponse | None:
    """None when this is the token's first use (noted, with the access-log row of
    ``disclosed``); else the 401 answer (nothing noted)."""
    journal = call_journal(request)
    if await journal.first_use(client.issuer, client.jti, client.keep_until, time.time(),
                               disclosed):  # fmt: skip
        return None
    return refused(REPLAYED)
