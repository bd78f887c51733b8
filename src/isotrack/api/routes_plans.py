"""Plan to prescription: save a course plan, read it, and prescribe one of its phases."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Body, Depends, Header, Query
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from isotrack.api.auth import Principal, current_principal
from isotrack.api.dependencies import get_service
from isotrack.api.routes_courses import expected_version
from isotrack.service import course_plans
from isotrack.service.context import Service

router = APIRouter(tags=["course plan"])


@router.post(
    "/courses/{course_id}/plan",
    status_code=201,
    summary="Save a plan to the course (dated today); replacing a saved plan needs a reason",
    responses={422: {"description": "a field error, or a change of plan without a reason"}},
)
async def plan_save(
    course_id: str,
    body: dict[str, Any] = Body(
        description="product, weight_kg, phases ([{mg_per_kg_per_day, weeks}]), "
        "target_mg_per_kg or treat_to_clearance, split_doses, and reason when a plan is saved"
    ),
    if_match: str | None = Header(default=None),
    principal: Principal = Depends(current_principal),
    service: Service = Depends(get_service),
) -> JSONResponse:
    outcome = await run_in_threadpool(
        course_plans.save_plan, service, principal.user, course_id, body,
        expected_version(course_id, if_match),
    )  # fmt: skip
    headers = {"ETag": outcome.etag} if outcome.etag else {}
    return JSONResponse(outcome.body, status_code=outcome.status_code, headers=headers)


@router.get("/courses/{course_id}/plan", summary="The plan in force (null when none is saved), "
            "the planner's projection of it, and the plans it replaced")  # fmt: skip
def plan_read(
    course_id: str,
    principal: Principal = Depends(current_principal),
    service: Service = Depends(get_service),
) -> dict[str, Any]:
    saved = course_plans.saved_plan(service, principal.user, course_id)
    if saved is None:
        return {"course_id": course_id, "plan": None, "projection": None, "earlier": []}
    return {
        "course_id": course_id,
        "plan": saved.event.model_dump(mode="json", exclude_none=True),
        "projection": saved.plan.model_dump(mode="json"),
        "earlier": [p.model_dump(mode="json", exclude_none=True) for p in saved.earlier],
    }


@router.get(
    "/courses/{course_id}/plan/prescription",
    summary="The prescription fields for one phase of the saved plan (nothing is stored: sign "
    "it with POST /courses/{id}/prescriptions)",
)
def plan_prescription(
    course_id: str,
    phase: int = Query(default=1, description="1 is the first phase"),
    days_supply: int = Query(default=30),
    principal: Principal = Depends(current_principal),
    service: Service = Depends(get_service),
) -> dict[str, Any]:
    found = course_plans.prescription_from_plan(
        service, principal.user, course_id, phase, days_supply
    )
    return {"course_id": course_id, **asdict(found)}
