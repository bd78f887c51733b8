"""Patients, courses and their events: the clinic's and the patient's view of a course."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from isotrack.api.auth import Principal, current_principal
from isotrack.api.body_guard import REQUEST_LIMITS
from isotrack.api.dependencies import get_service
from isotrack.api.problems import Problem, field_error
from isotrack.domain.json_input import read_json
from isotrack.service import courses, enrolment, recording, search
from isotrack.service.context import Service
from isotrack.service.courses import PatientRecord, StoredCourse
from isotrack.service.enrolment import NewCourse, NewPatient
from isotrack.service.recording import request_fingerprint

router = APIRouter(tags=["courses"])

_ETAG = re.compile(r'^(?:W/)?"(?P<course>[^"]+)\.v(?P<version>\d+)"$')


def _patient_json(record: PatientRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "display_name": record.display_name,
        "courses": [
            {"id": c.id, "policy": c.policy, "version": c.version, "last_event_on": c.last_event_on}
            for c in record.courses
        ],
    }


@router.get("/patients", summary="The patients in my care, or those a search finds")
def patients_list(
    q: str | None = Query(
        default=None,
        description="any part of the name, a birth date, the isotrack id or a programme id "
        "(case-insensitive); staff find only the patients they may see",
    ),
    principal: Principal = Depends(current_principal),
    service: Service = Depends(get_service),
) -> list[dict[str, Any]]:
    if q is not None:
        return [_found_json(p) for p in search.search_patients(service, principal.user, q)]
    return [_patient_json(p) for p in courses.my_patients(service, principal.user)]


def _found_json(found: search.PatientFound) -> dict[str, Any]:
    return {
        "id": found.patient_id,
        "display_name": found.display_name,
        "birth_dates": [d.isoformat() for d in found.birth_dates],
        "programme_ids": list(found.programme_ids),
        "matched_on": list(found.matched_on),
        "latest_course_id": found.latest_course_id,
    }


@router.post("/patients", status_code=201, summary="Enrol a patient and open the first course")
def patients_create(
    body: NewPatient,
    principal: Principal = Depends(current_principal),
    service: Service = Depends(get_service),
) -> dict[str, Any]:
    enrolled = enrolment.enrol_patient(service, principal.user, body)
    return {"patient_id": enrolled.patient_id, "course_id": enrolled.course_id}


@router.get("/patients/{patient_id}", summary="One patient and their courses")
def patients_read(
    patient_id: str,
    principal: Principal = Depends(current_principal),
    service: Service = Depends(get_service),
) -> dict[str, Any]:
    return _patient_json(courses.visible_patient(service, principal.user, patient_id))


@router.post("/patients/{patient_id}/courses", status_code=201, summary="Open another course")
def courses_create(
    patient_id: str,
    body: NewCourse,
    principal: Principal = Depends(current_principal),
    service: Service = Depends(get_service),
) -> dict[str, Any]:
    return {
        "patient_id": patient_id,
        "course_id": enrolment.open_course(service, principal.user, patient_id, body),
    }


def _as_of(service: Service, as_of: dt.date | None) -> dt.date:
    return as_of or service.today()


def _header_json(course: StoredCourse) -> dict[str, Any]:
    h = course.header
    return {
        "id": h.id,
        "patient_id": h.patient_id,
        "policy": h.policy,
        "version": course.version,
        "created_at": h.created_at,
        "created_by": h.created_by,
    }


@router.get("/courses/{course_id}", summary="A course: timeline and evaluation (ETag = version)")
def courses_read(
    course_id: str,
    response: Response,
    as_of: dt.date | None = Query(default=None, description="evaluation date; default today"),
    principal: Principal = Depends(current_principal),
    service: Service = Depends(get_service),
) -> dict[str, Any]:
    day = _as_of(service, as_of)
    course, assessment = courses.course_assessment(service, principal.user, course_id, day)
    response.headers["ETag"] = course.etag
    return {
        "course": _header_json(course),
        "as_of": day.isoformat(),
        "timeline": course.timeline().to_json_dict(),
        "evaluation": assessment.model_dump(mode="json", by_alias=True),
    }


@router.get("/courses/{course_id}/events", summary="The event log with who recorded what")
def events_list(
    course_id: str,
    response: Response,
    principal: Principal = Depends(current_principal),
    service: Service = Depends(get_service),
) -> dict[str, Any]:
    course, logged = courses.events_with_status(service, principal.user, course_id)
    items = [
        {
            "seq": e.stored.seq,
            "event_id": e.stored.event_id,
            "type": e.stored.type,
            "status": e.status.value,
            "recorded_by": e.stored.recorded_by,
            "recorded_at": e.stored.recorded_at,
            "hash": e.stored.hash,
            "event": e.stored.as_json(),
        }
        for e in logged
    ]
    response.headers["ETag"] = course.etag
    return {"course_id": course_id, "version": course.version, "events": items}


def expected_version(course_id: str, if_match: str | None) -> int | None:
    """The version named by an If-Match header (``None`` for no header or ``*``)."""
    if if_match is None or if_match.strip() == "*":
        return None
    match = _ETAG.match(if_match.strip())
    if match is None:
        raise Problem(
            422,
            "Invalid input",
            "If-Match must carry the course's ETag",
            kind="invalid-input",
            errors=[field_error("header", "If-Match", if_match, f'"{course_id}.v<version>"')],
        )
    if match["course"] != course_id:
        raise Problem(
            412,
            "Precondition failed",
            "the If-Match ETag is of another course",
            kind="version-mismatch",
        )
    return int(match["version"])


@router.post(
    "/courses/{course_id}/events",
    status_code=201,
    summary="Append one event (If-Match: the course ETag; Idempotency-Key for safe retries)",
    responses={409: {"description": "conflict"}, 412: {"description": "version mismatch"}},
)
async def events_append(
    course_id: str,
    request: Request,
    if_match: str | None = Header(default=None),
    idempotency_key: str | None = Header(default=None, max_length=200),
    principal: Principal = Depends(current_principal),
    service: Service = Depends(get_service),
) -> JSONResponse:
    raw = await request.body()
    # The body guard has already refused hostile JSON; this reads it with the same rules.
    payload = read_json(raw, document="request body", limits=REQUEST_LIMITS)
    version = expected_version(course_id, if_match)
    fingerprint = request_fingerprint("POST", request.url.path, raw)
    outcome = await run_in_threadpool(
        recording.record_event_json,
        service,
        principal.user,
        course_id,
        payload,
        version,
        idempotency_key=idempotency_key,
        fingerprint=fingerprint,
    )
    headers = {"Location": f"{request.url.path}/{outcome.body.get('seq')}"}
    if outcome.etag:
        headers["ETag"] = outcome.etag
    if outcome.replayed:
        headers["Idempotent-Replayed"] = "true"
    return JSONResponse(outcome.body, status_code=outcome.status_code, headers=headers)


@router.get("/courses/{course_id}/evaluation", summary="Every engine's evaluation as of a date")
def evaluation_read(
    course_id: str,
    as_of: dt.date | None = Query(default=None, description="default: today"),
    principal: Principal = Depends(current_principal),
    service: Service = Depends(get_service),
) -> dict[str, Any]:
    _, result = courses.course_assessment(
        service, principal.user, course_id, _as_of(service, as_of)
    )
    return result.model_dump(mode="json", by_alias=True)


@router.get("/courses/{course_id}/schedule", summary="What is due, from whom, by when")
def schedule_read(
    course_id: str,
    as_of: dt.date | None = Query(default=None, description="default: today"),
    principal: Principal = Depends(current_principal),
    service: Service = Depends(get_service),
) -> dict[str, Any]:
    result = courses.course_schedule(service, principal.user, course_id, _as_of(service, as_of))
    return result.model_dump(mode="json", by_alias=True)


@router.get("/courses/{course_id}/export", summary="The course in the isotrack.timeline/1 format")
def course_export(
    course_id: str,
    principal: Principal = Depends(current_principal),
    service: Service = Depends(get_service),
) -> JSONResponse:
    course = courses.visible_course(service, principal.user, course_id)
    return JSONResponse(course.timeline().to_json_dict(), headers={"ETag": course.etag})
