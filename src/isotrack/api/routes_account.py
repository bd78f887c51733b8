"""The account holder's own door: password change, live sessions; an admin's password reset."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from isotrack.api.auth import Principal, current_principal
from isotrack.api.dependencies import get_service
from isotrack.service import accounts
from isotrack.service.accounts import SessionSummary
from isotrack.service.context import Service

router = APIRouter(tags=["account"])


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: str = Field(min_length=1, max_length=1000)
    new_password: str = Field(min_length=1, max_length=1000)


def _session_json(summary: SessionSummary, principal: Principal) -> dict[str, Any]:
    return {
        "session_id": summary.session_id,
        "kind": summary.kind.value,
        "created_at": summary.created_at,
        "expires_at": summary.expires_at,
        "current": summary.session_id == principal.token_sha256,
    }


@router.post(
    "/me/password",
    status_code=204,
    summary="Change my password; my other sessions end",
    responses={422: {"description": "current password wrong, or new one too short"}},
)
async def password_change(
    body: PasswordChange,
    principal: Principal = Depends(current_principal),
    service: Service = Depends(get_service),
) -> Response:
    await run_in_threadpool(
        accounts.change_password,
        service,
        principal.user,
        body.current_password,
        body.new_password,
        keep_session_sha256=principal.token_sha256,
    )
    return Response(status_code=204)


@router.get("/me/sessions", summary="My live sessions and tokens, newest first")
def sessions_list(
    principal: Principal = Depends(current_principal), service: Service = Depends(get_service)
) -> list[dict[str, Any]]:
    return [_session_json(s, principal) for s in accounts.my_sessions(service, principal.user)]


@router.delete(
    "/me/sessions/{session_id}",
    status_code=204,
    summary="End one of my sessions",
    responses={404: {"description": "no live session of yours with this id"}},
)
def sessions_revoke(
    session_id: str,
    principal: Principal = Depends(current_principal),
    service: Service = Depends(get_service),
) -> Response:
    accounts.revoke_my_session(service, principal.user, session_id)
    return Response(status_code=204)


@router.post(
    "/users/{user_id}/password-reset",
    summary="Admin: give an account a new password (shown once); its sessions end",
    responses={403: {"description": "admins only"}, 404: {"description": "no such user"}},
)
async def password_reset(
    user_id: str,
    principal: Principal = Depends(current_principal),
    service: Service = Depends(get_service),
) -> dict[str, Any]:
    password = await run_in_threadpool(accounts.reset_password, service, principal.user, user_id)
    return {"user_id": user_id, "new_password": password}
