"""FHIR R4 REST under ``/fhir/r4``: ``metadata``, ``Patient/{id}/$everything`` and
``GuidanceResponse/$rems-etasu`` (US Medication REMS IG STU2).

Every answer is ``application/fhir+json``; every error is an OperationOutcome with a 4xx
status (401 without a valid bearer token, 403 for a role that may never do this, 404 for a
patient the caller may not see or that does not exist — the two are not told apart — and 400
for a body that is not a usable Parameters). Courses are reached only through the service's
visible-course rule (``service.fhir_patients``).
"""

from __future__ import annotations

import datetime as dt
from importlib.metadata import version
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from isotrack.api.auth import Principal, optional_principal
from isotrack.api.dependencies import get_service
from isotrack.domain.errors import (
    ActionNotAllowed,
    IsotrackError,
    IsotrackInputError,
    RecordNotFound,
)
from isotrack.domain.json_input import JsonLimits, read_json
from isotrack.engines.programme import evaluate_programme
from isotrack.interop.fhir.convert import product_names, timeline_to_fhir
from isotrack.interop.fhir.rems import etasu_not_found, etasu_response, read_etasu_request
from isotrack.interop.fhir.rest import (
    FHIR_JSON,
    capability_statement,
    everything_bundle,
    operation_outcome,
)
from isotrack.service.access import Action
from isotrack.service.accounts import User
from isotrack.service.context import Service
from isotrack.service.courses import StoredCourse, visible_course
from isotrack.service.fhir_patients import find_course_by_fhir_patient, find_course_by_identifier

FHIR_BASE = "/fhir/r4"
# The date of this CapabilityStatement's content (changes when the endpoint's features do).
CAPABILITY_DATE = dt.date(2026, 11, 30)
_BODY_LIMITS = JsonLimits(max_bytes=1024 * 1024, max_depth=32)

router = APIRouter(prefix=FHIR_BASE, tags=["FHIR R4"])


class FhirError(Exception):
    """An error answered as an OperationOutcome."""

    def __init__(self, status: int, code: str, text: str, expression: str | None = None):
        super().__init__(text)
        self.status, self.code, self.text, self.expression = status, code, text, expression


def fhir_json(body: dict[str, Any], status: int = 200, **headers: str) -> JSONResponse:
    return JSONResponse(body, status_code=status, media_type=FHIR_JSON, headers=headers or None)


def _base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/") + FHIR_BASE


async def fhir_user(principal: Principal | None = Depends(optional_principal)) -> User:
    if principal is None:
        raise FhirError(401, "login", "send a valid bearer token (POST /api/v1/auth/token)")
    return principal.user


def _as_fhir_error(error: IsotrackError) -> FhirError:
    if isinstance(error, RecordNotFound):
        return FhirError(404, "not-found", "no patient or course that you may see")
    if isinstance(error, ActionNotAllowed):
        return FhirError(403, "forbidden", error.summary)
    if isinstance(error, IsotrackInputError) and error.problems:
        first = error.problems[0]
        return FhirError(400, "invalid", f"{first.field}: {first.allowed}", first.location)
    return FhirError(400, "processing", error.summary)


@router.get("/metadata")
async def metadata(request: Request) -> JSONResponse:
    """The CapabilityStatement (no sign-in needed, as FHIR clients expect)."""
    return fhir_json(capability_statement(_base_url(request), version("isotrack"), CAPABILITY_DATE))


@router.get("/Patient/{patient_id}/$everything")
async def patient_everything(
    patient_id: str,
    request: Request,
    user: User = Depends(fhir_user),
    service: Service = Depends(get_service),
) -> JSONResponse:
    """The patient's latest course as a searchset Bundle, if the caller may see it."""

    def answer() -> dict[str, Any]:
        course = find_course_by_fhir_patient(service, user, patient_id)
        bundle = timeline_to_fhir(service.knowledge(), course.timeline()).bundle
        return everything_bundle(bundle, _base_url(request))

    try:
        return fhir_json(await run_in_threadpool(answer))
    except IsotrackError as exc:
        raise _as_fhir_error(exc) from None


@router.post("/GuidanceResponse/$rems-etasu")
async def rems_etasu(
    request: Request, user: User = Depends(fhir_user), service: Service = Depends(get_service)
) -> JSONResponse:
    """Are the REMS safe-use conditions (ETASU) met for this patient and medication?"""
    try:
        body = read_json(await request.body(), document="Parameters", limits=_BODY_LIMITS)
    except IsotrackInputError as exc:
        raise _as_fhir_error(exc) from None
    asked = read_etasu_request(body, product_names(service.knowledge()))
    if asked.problems:
        where = asked.problems[0][0]
        raise FhirError(400, "invalid", "; ".join(t for _, t in asked.problems), where)

    def answer() -> dict[str, Any]:
        today = service.today()
        try:
            course = _etasu_course(service, user, asked.case_number, asked.patient_id,
                                   asked.identifiers)  # fmt: skip
        except RecordNotFound:
            return etasu_not_found(today)
        report = evaluate_programme(service.knowledge(), course.timeline(), today)
        return etasu_response(report, course.header.patient_id, course.header.id, today)

    try:
        return fhir_json(await run_in_threadpool(answer))
    except IsotrackError as exc:
        raise _as_fhir_error(exc) from None


def _etasu_course(
    service: Service,
    user: User,
    case_number: str | None,
    patient_id: str | None,
    identifiers: list[tuple[str, str]],
) -> StoredCourse:
    action = Action.READ_DISPENSE_DECISIONS
    if case_number is not None:
        course = visible_course(service, user, case_number, action)
        if patient_id is None and not identifiers:
            return course
        named = _patient_course(service, user, patient_id, identifiers, action)
        if named.header.patient_id != course.header.patient_id:
            raise RecordNotFound("the case number belongs to another patient")
        return course
    return _patient_course(service, user, patient_id, identifiers, action)


def _patient_course(
    service: Service,
    user: User,
    patient_id: str | None,
    identifiers: list[tuple[str, str]],
    action: Action,
) -> StoredCourse:
    if patient_id is not None:
        try:
            return find_course_by_fhir_patient(service, user, patient_id, action=action)
        except RecordNotFound:
            if not identifiers:
                raise
    for system, value in identifiers:
        try:
            return find_course_by_identifier(service, user, system, value, action=action)
        except RecordNotFound:
            continue
    raise RecordNotFound("no course for this patient")


async def _fhir_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, FhirError)
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else {}
    return fhir_json(
        operation_outcome(exc.code, exc.text, expression=exc.expression), exc.status, **headers
    )


def install_fhir(app: FastAPI) -> None:
    """Mount the FHIR REST router and its OperationOutcome error answer on ``app``."""
    app.include_router(router)
    app.add_exception_handler(FhirError, _fhir_error)
