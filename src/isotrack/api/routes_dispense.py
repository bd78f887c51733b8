"""The pharmacy's door: dispense decisions (recorded) and finding a patient's prescriptions."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import JSONResponse

from isotrack.api.access import Action, require, require_patient, require_patient_record
from isotrack.api.auth import Principal, current_principal
from isotrack.api.dispensing import DispenseRequest, authorization_json, decide_and_record
from isotrack.api.problems import Problem
from isotrack.api.service import Service, get_service
from isotrack.domain.events import Dispensed, PrescriptionWritten
from isotrack.domain.timeline import effective_events, events_of
from isotrack.store.authorizations import authorization_by_code, authorizations_of_course
from isotrack.store.courses import NotFound, read_course, read_header
from isotrack.store.idempotency import request_fingerprint
from isotrack.store.patients import patient_record

router = APIRouter(tags=["dispensing"])


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
    record, replayed = await decide_and_record(
        service,
        principal,
        course_id,
        body.prescription_id,
        idempotency_key=idempotency_key,
        fingerprint=fingerprint,
    )
    headers = {"Location": f"/api/v1/dispense-decisions/{record.code}"}
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    return JSONResponse(authorization_json(record), status_code=201, headers=headers)


def _course_in_reach(service: Service, principal: Principal, course_id: str) -> None:
    with service.database.reading() as connection:
        try:
            header = read_header(connection, course_id)
        except NotFound:
            require(principal.user, Action.READ_DISPENSE_DECISIONS)
            raise Problem(
                404, "Not found", f"no course {course_id!r} that you may see", kind="not-found"
            ) from None
    require_patient(
        principal.user, Action.READ_DISPENSE_DECISIONS, header.patient_id, header.prescriber_user_id
    )


@router.get("/courses/{course_id}/dispense-decisions", summary="Recorded decisions of a course")
def dispense_list(
    course_id: str,
    principal: Principal = Depends(current_principal),
    service: Service = Depends(get_service),
) -> list[dict[str, Any]]:
    _course_in_reach(service, principal, course_id)
    with service.database.reading() as connection:
        return [authorization_json(r) for r in authorizations_of_course(connection, course_id)]


@router.get("/dispense-decisions/{code}", summary="One recorded decision by its code")
def dispense_read(
    code: str,
    principal: Principal = Depends(current_principal),
    service: Service = Depends(get_service),
) -> dict[str, Any]:
    require(principal.user, Action.READ_DISPENSE_DECISIONS)
    with service.database.reading() as connection:
        record = authorization_by_code(connection, code)
    if record is None:
        raise Problem(404, "Not found", f"no authorization {code!r}", kind="not-found")
    _course_in_reach(service, principal, record.course_id)
    return authorization_json(record)


@router.get("/pharmacy/prescriptions", summary="A patient's prescriptions, dispenses, decisions")
def pharmacy_prescriptions(
    patient_id: str = Query(min_length=1, max_length=100),
    principal: Principal = Depends(current_principal),
    service: Service = Depends(get_service),
) -> dict[str, Any]:
    with service.database.reading() as connection:
        record = require_patient_record(
            principal.user,
            Action.FIND_PRESCRIPTIONS,
            patient_record(connection, patient_id),
            patient_id,
        )
        courses = []
        for summary in record.courses:
            course = read_course(connection, summary.id)
            events = effective_events(course.timeline())
            decisions = authorizations_of_course(connection, summary.id)
            courses.append(
                {
                    "course_id": summary.id,
                    "policy": summary.policy,
                    "prescriptions": [
                        {
                            "id": p.id,
                            "date": p.date.isoformat(),
                            "product": p.product,
                            "daily_dose_mg": p.daily_dose_mg,
                            "days_supply": p.days_supply,
                        }
                        for p in events_of(events, PrescriptionWritten)
                    ],
                    "dispenses": [
                        {
                            "id": d.id,
                            "date": d.date.isoformat(),
                            "prescription_id": d.prescription_id,
                            "days_supply": d.days_supply,
                            "authorization_code": d.authorization_code,
                        }
                        for d in events_of(events, Dispensed)
                    ],
                    "decisions": [authorization_json(r) for r in decisions[-5:]],
                }
            )
    return {"patient_id": record.id, "display_name": record.display_name, "courses": courses}
