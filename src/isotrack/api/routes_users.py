"""Account management, for admins only."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from isotrack.api.auth import Principal, current_principal
from isotrack.api.dependencies import get_service
from isotrack.api.routes_auth import user_json
from isotrack.service import accounts
from isotrack.service.accounts import Role
from isotrack.service.context import Service

router = APIRouter(tags=["users"])


class NewUser(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=80)
    role: Role
    display_name: str | None = Field(default=None, max_length=200)
    password: str | None = Field(default=None, description="omit to have one generated")
    prescriber: str | None = Field(default=None, description="designees: their prescriber")
    patient_id: str | None = Field(default=None, description="patients: their record")
    break_glass_reason: str | None = Field(
        default=None,
        max_length=1000,
        description="required with patient_id: why an admin links an account to a record (logged)",
    )


@router.get("/users", summary="All accounts")
def users_list(
    principal: Principal = Depends(current_principal), service: Service = Depends(get_service)
) -> list[dict[str, Any]]:
    return [user_json(u) for u in accounts.users(service, principal.user)]


@router.post("/users", status_code=201, summary="Create an account")
def users_create(
    body: NewUser,
    principal: Principal = Depends(current_principal),
    service: Service = Depends(get_service),
) -> dict[str, Any]:
    user, generated = accounts.create_account(
        service,
        principal.user,
        username=body.username,
        role=body.role,
        password=body.password,
        display_name=body.display_name,
        prescriber_username=body.prescriber,
        patient_id=body.patient_id,
        break_glass_reason=body.break_glass_reason,
    )
    answer = user_json(user)
    if generated is not None:
        answer["password"] = generated  # shown once, never stored in clear
    return answer


@router.post("/users/{user_id}/deactivate", summary="Disable an account and revoke its sessions")
def users_deactivate(
    user_id: str,
    principal: Principal = Depends(current_principal),
    service: Service = Depends(get_service),
) -> dict[str, Any]:
    user = accounts.deactivate_account(service, principal.user, user_id)
    return {**user_json(user), "active": False}
