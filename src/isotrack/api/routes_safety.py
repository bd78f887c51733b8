"""Clinical safety of a course: alerts with their lifecycle, the pregnancy exposure record,
and signing a prescription through the order-entry check."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Header, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from isotrack.api.auth import Principal, current_principal
from isotrack.api.dependencies import get_service
from isotrack.api.routes_courses import expected_version
from isotrack.service import prescribing, safety
from isotrack.service.context import Service

router = APIRouter(tags=["clinical safety"])


class PrescriptionBody(BaseModel):
    """A prescription to sign, with what the order-entry check asks of the prescriber."""

    model_config = ConfigDict(extra="forbid")

    prescription: dict[str, Any] = Field(
        description="the prescription event without its type (id optional), e.g. "
        '{"date": "2026-10-15", "product": "claravis", "daily_dose_mg": 40, "days_supply": 30}'
    )
    reviews: list[dict[str, Any]] = Field(
        default_factory=list,
        description="one alert review per open clinical hold: "
        '{"alert_id": ..., "outcome": "continue", "note": "why", "date": ...}',
    )
    confirm_warnings: bool = Field(
        default=False, description="the prescriber has read the warnings (409 returned them)"
    )
    confirm_above_maximum: bool = Field(
        default=False,
        description="second confirmation of a dose above the labelled maximum mg/kg/day",
    )


@router.get("/courses/{course_id}/alerts", summary="Clinical holds, every holding alert with "
            "its lifecycle (open, reviewed, resolved, superseded), and the patient's crisis "
            "guidance while an item-9 answer holds")  # fmt: skip
def alerts_read(
    course_id: str,
    as_of: dt.date | None = Query(default=None, description="default: today"),
    principal: Principal = Depends(current_principal),
    service: Service = Depends(get_service),
) -> dict[str, Any]:
    day = as_of or service.today()
    status = safety.course_safety(service, principal.user, course_id, day)
    crisis = safety.crisis_guidance(service, principal.user, course_id, day)
    return {
        "course_id": course_id,
        **status.model_dump(mode="json"),
        "crisis_guidance": crisis.model_dump(mode="json") if crisis else None,
    }


@router.get(
    "/courses/{course_id}/pregnancy-exposure",
    summary="The pregnancy exposure record (null when no pregnancy is on record)",
)
def pregnancy_exposure_read(
    course_id: str,
    as_of: dt.date | None = Query(default=None, description="default: today"),
    principal: Principal = Depends(current_principal),
    service: Service = Depends(get_service),
) -> dict[str, Any]:
    day = as_of or service.today()
    record = safety.course_pregnancy_exposure(service, principal.user, course_id, day)
    return {
        "course_id": course_id,
        "as_of": day.isoformat(),
        "pregnancy_exposure": record.model_dump(mode="json") if record else None,
    }


@router.post(
    "/courses/{course_id}/prescriptions",
    status_code=201,
    summary="Sign a prescription: order-entry check, reviews of open holds, one transaction",
    responses={
        409: {"description": "warnings to confirm (listed); nothing stored"},
        422: {"description": "a field error, or an open clinical hold without a review"},
    },
)
async def prescription_sign(
    course_id: str,
    body: PrescriptionBody,
    if_match: str | None = Header(default=None),
    principal: Principal = Depends(current_principal),
    service: Service = Depends(get_service),
) -> JSONResponse:
    request = prescribing.PrescriptionRequest(
        prescription=body.prescription,
        reviews=body.reviews,
        confirm_warnings=body.confirm_warnings,
        confirm_above_maximum=body.confirm_above_maximum,
    )
    signed = await run_in_threadpool(
        prescribing.write_prescription, service, principal.user, course_id, request,
        expected_version(course_id, if_match),
    )  # fmt: skip
    answer = {
        "course_id": course_id,
        "version": signed.version,
        "prescription": signed.prescription.model_dump(mode="json", exclude_none=True),
        "reviews": [r.model_dump(mode="json", exclude_none=True) for r in signed.reviews],
        "warnings": [w.model_dump(mode="json") for w in signed.check.warnings],
        "regimen": [d.model_dump(mode="json") for d in signed.check.regimen or []],
    }
    return JSONResponse(answer, status_code=201, headers={"ETag": signed.etag})
