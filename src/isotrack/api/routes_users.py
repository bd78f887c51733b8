"""Account management, for admins only."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from isotrack.api.access import Action, require
from isotrack.api.auth import Principal, current_principal
from isotrack.api.problems import Problem
from isotrack.api.routes_auth import user_json
from isotrack.api.service import Service, get_service
from isotrack.store.users import (
    Role,
    create_user,
    generate_password,
    list_users,
    set_user_active,
    user_by_id,
)

router = APIRouter(tags=["users"])


class NewUser(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=80)
    role: Role
    display_name: str | None = Field(default=None, max_length=200)
    password: str | None = Field(default=None, description="omit to have one generated")
    prescriber: str | None = Field(default=None, description="designees: their prescriber")
    patient_id: str | None = Field(default=None, description="patients: their record")


@router.get("/users", summary="All accounts")
def users_list(
    principal: Principal = Depends(current_principal), service: Service = Depends(get_service)
) -> list[dict[str, Any]]:
    require(principal.user, Action.MANAGE_USERS)
    with service.database.reading() as connection:
        return [user_json(u) for u in list_users(connection)]


@router.post("/users", status_code=201, summary="Create an account")
def users_create(
    body: NewUser,
    principal: Principal = Depends(current_principal),
    service: Service = Depends(get_service),
) -> dict[str, Any]:
    require(principal.user, Action.MANAGE_USERS)
    password = body.password or generate_password()
    with service.database.writing() as connection:
        user = create_user(
            connection,
            username=body.username,
            password=password,
            role=body.role,
            display_name=body.display_name,
            prescriber_username=body.prescriber,
            patient_id=body.patient_id,
        )
    answer = user_json(user)
    if body.password is None:
        answer["password"] = password  # shown once, never stored in clear
    return answer


@router.post("/users/{user_id}/deactivate", summary="Disable an account and revoke its sessions")
def users_deactivate(
    user_id: str,
    principal: Principal = Depends(current_principal),
    service: Service = Depends(get_service),
) -> dict[str, Any]:
    require(principal.user, Action.MANAGE_USERS)
    with service.database.writing() as connection:
        user = user_by_id(connection, user_id)
        if user is None:
            raise Problem(404, "Not found", f"no user {user_id!r}", kind="not-found")
        set_user_active(connection, user_id, False)
    return {**user_json(user), "active": False}
