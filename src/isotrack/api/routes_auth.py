"""Signing in and out: bearer tokens for programs, cookie sessions for browsers."""

from __future__ import annotations

import functools
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from isotrack.api.auth import (
    Principal,
    current_principal,
    end_session,
    sign_in,
    start_browser_session,
)
from isotrack.api.dependencies import get_service
from isotrack.service.accounts import SessionKind, User
from isotrack.service.context import Service

router = APIRouter(tags=["auth"])


class Credentials(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=1, max_length=1000)
    code: str | None = Field(
        default=None,
        max_length=10,
        description="accounts with a second factor: the current 6-digit code of the "
        "authenticator app (RFC 6238)",
    )


def user_json(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role.value,
        "prescriber_user_id": user.prescriber_user_id,
        "patient_id": user.patient_id,
        "active": user.active,
    }


def client_address(request: Request) -> str | None:
    """The client's address as this server sees it (the throttle's per-address scope)."""
    return request.client.host if request.client else None


@router.post(
    "/auth/token",
    summary="Exchange a username and password for a bearer token",
    responses={401: {"description": "wrong pair"}, 429: {"description": "wait Retry-After"}},
)
async def token(
    body: Credentials, request: Request, service: Service = Depends(get_service)
) -> dict[str, Any]:
    user, session = await run_in_threadpool(
        functools.partial(sign_in, code=body.code),
        service,
        body.username,
        body.password,
        SessionKind.BEARER,
        client_address(request),
    )
    return {
        "access_token": session.token,
        "token_type": "bearer",
        "expires_at": session.expires_at,
        "user": user_json(user),
    }


@router.post(
    "/auth/login",
    summary="Open a browser session (sets the session cookie)",
    responses={401: {"description": "wrong pair"}, 429: {"description": "wait Retry-After"}},
)
async def login(
    body: Credentials,
    request: Request,
    response: Response,
    service: Service = Depends(get_service),
) -> dict[str, Any]:
    user, session = await run_in_threadpool(
        start_browser_session,
        service,
        response,
        body.username,
        body.password,
        client_address(request),
        body.code,
    )
    return {
        "csrf_token": session.csrf_token,
        "expires_at": session.expires_at,
        "user": user_json(user),
    }


@router.post("/auth/logout", status_code=204, summary="Revoke the current token or session")
async def logout(
    response: Response,
    principal: Principal = Depends(current_principal),
    service: Service = Depends(get_service),
) -> Response:
    await run_in_threadpool(end_session, service, principal, response)
    response.status_code = 204
    return response


@router.get("/me", summary="The signed-in user")
async def me(principal: Principal = Depends(current_principal)) -> dict[str, Any]:
    return {
        **user_json(principal.user),
        "session": principal.kind.value,
        "csrf_token": principal.csrf_token,
    }
