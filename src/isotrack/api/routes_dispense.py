"""The pharmacy's door: dispense decisions (recorded) and finding a patient's prescriptions."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from isotrack.api.auth import Principal, current_principal
from isotrack.api.dependencies import get_service
from isotrack.service import dispensing, pharmacy
from isotrack.service.context import Service
from isotrack.service.dispensing import AuthorizationRecord
from isotrack.service.recording import request_fingerprint

router = APIRouter(tags=["dispensing"])


class DispenseRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    prescription_id: str | None = Field(
        default=None, description="the prescription to dispense; default: the latest one"
    )


def authorization_json(record: AuthorizationRecord) -> dict[str, Any]:
    """The answer a pharmacist sees: the code, the outcome, dispense-by and the reasons."""
    return {
        "authorization_code": record.code,
        "course_id": record.course_id,
        "prescription_id": record.prescription_id,
        "decided_on": record.decided_on.isoformat(),
        "authorized": record.authorized,
        "dispense_by": record.dispense_by.isoformat() if record.dispense_by else None,
        "max_days_supply": record.max_days_supply,
        "recorded_at": record.recorded_at,
        # The two judgements apart: the programme's answer, and the clinical holds.
        "programme_met": record.decision.get("programme_met"),
        "reasons": record.decision.get("reasons", []),
        "clinical_holds": record.decision.get("clinical_holds", []),
        "course_status": record.decision.get("course_status"),
        "decision": record.decision,
    }


@router.post(
    "/courses/{course_id}/dispense-decisions",
    status_code=201,
    summary="May this prescription be dispensed today? Decides and records an authorization",
)
async def dispense_decide(
    course_id: str,
    body: DispenseRequest,
    request: Request,
    idempotency_key: str | None = Header(default=None, max_length=200),
    principal: Principal = Depends(current_principal),
    service: Service = Depends(get_service),
) -> JSONResponse:
    fingerprint = request_fingerprint("POST", request.url.path, await request.body())
    record, replayed = await dispensing.decide_dispense(
        service,
        principal.user,
        course_id,
        body.prescription_id,
        idempotency_key=idempotency_key,
        fingerprint=fingerprint,
    )
    headers = {"Location": f"/api/v1/dispense-decisions/{record.code}"}
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    return JSONResponse(authorization_json(record), status_code=201, headers=headers)


@router.get("/courses/{course_id}/dispense-decisions", summary="Recorded decisions of a course")
def dispense_list(
    course_id: str,
    principal: Principal = Depends(current_principal),
    service: Service = Depends(get_service),
) -> list[dict[str, Any]]:
    records = dispensing.decisions_of_course(service, principal.user, course_id)
    return [authorization_json(r) for r in records]


@router.get("/dispense-decisions/{code}", summary="One recorded decision by its code")
def dispense_read(
    code: str,
    principal: Principal = Depends(current_principal),
    service: Service = Depends(get_service),
) -> dict[str, Any]:
    return authorization_json(dispensing.authorization(service, principal.user, code))


@router.get("/pharmacy/prescriptions", summary="A patient's prescriptions, dispenses, decisions")
def pharmacy_prescriptions(
    patient_id: str = Query(min_length=1, max_length=100),
    principal: Principal = Depends(current_principal),
    service: Service = Depends(get_service),
) -> dict[str, Any]:
    found = pharmacy.prescriptions_of_patient(service, principal.user, patient_id)
    return {
        "patient_id": found.id,
        "display_name": found.display_name,
        "courses": [
            {
                "course_id": c.header.id,
                "policy": c.header.policy,
                "prescriptions": [
                    {
                        "id": p.id,
                        "date": p.date.isoformat(),
                        "product": p.product,
                        "daily_dose_mg": p.daily_dose_mg,
                        "days_supply": p.days_supply,
                    }
                    for p in c.prescriptions
                ],
                "dispenses": [
                    {
                        "id": d.id,
                        "date": d.date.isoformat(),
                        "prescription_id": d.prescription_id,
                        "days_supply": d.days_supply,
                        "authorization_code": d.authorization_code,
                    }
                    for d in c.dispenses
                ],
                "decisions": [authorization_json(r) for r in c.decisions[-5:]],
            }
            for c in found.courses
        ],
    }
