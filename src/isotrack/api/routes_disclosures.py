"""The accounting of disclosures (who saw a patient's record) and an admin's break-glass."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from isotrack.api.auth import Principal, current_principal
from isotrack.api.dependencies import get_service
from isotrack.service import disclosures
from isotrack.service.context import Service

router = APIRouter(tags=["access log"])


class BreakGlass(BaseModel):
    model_config = ConfigDict(extra="forbid")

    patient_id: str = Field(min_length=1, max_length=100)
    reason: str = Field(min_length=1, max_length=1000, description="why; kept in the access log")


@router.get(
    "/patients/{patient_id}/access-log",
    summary="Who read or changed this patient's record, when, through which door",
    responses={
        200: {"content": {"text/csv": {}}, "description": "JSON by default, CSV on request"},
        403: {"description": "prescribers and auditors only"},
        404: {"description": "no such patient in your care"},
    },
)
def access_log(
    patient_id: str,
    format: Literal["json", "csv"] = Query(default="json"),
    principal: Principal = Depends(current_principal),
    service: Service = Depends(get_service),
) -> Response:
    entries = disclosures.access_log_of_patient(service, principal.user, patient_id)
    text = disclosures.export_access_log(entries, format)
    if format == "csv":
        disposition = f'attachment; filename="access-log-{patient_id}.csv"'
        return Response(text, media_type="text/csv", headers={"Content-Disposition": disposition})
    return Response(text, media_type="application/json")


@router.post(
    "/break-glass",
    summary="Open one patient's record in an emergency, with a reason (logged): an admin, or "
    "a prescriber covering for a colleague (who may then read the patient's courses for a "
    "clinic shift, never record in them)",
    responses={
        403: {"description": "admins and prescribers only"},
        404: {"description": "no such patient"},
    },
)
async def break_glass(
    body: BreakGlass,
    principal: Principal = Depends(current_principal),
    service: Service = Depends(get_service),
) -> dict[str, Any]:
    record = await run_in_threadpool(
        disclosures.break_glass, service, principal.user, body.patient_id, body.reason
    )
    return {
        "patient_id": record.id,
        "display_name": record.display_name,
        "courses": [
            {"id": c.id, "policy": c.policy, "version": c.version, "last_event_on": c.last_event_on}
            for c in record.courses
        ],
    }
