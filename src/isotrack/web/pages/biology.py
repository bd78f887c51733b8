"""Recording acne assessments from the course page (clinic) and the patient's page (self-report).

A rejected form shows the whole page again with each message next to its field and every value
as typed (the same page functions as the other event forms)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from isotrack.domain.errors import IsotrackInputError
from isotrack.web.acne_form import FORM_KEY, SELF_REPORT_KINDS, assessment_from_form
from isotrack.web.clinic import PRESCRIBING_ROLES, record_event
from isotrack.web.course_sections import back_to_course
from isotrack.web.form_fields import FormErrors
from isotrack.web.pages.common import form_values, knowledge
from isotrack.web.pages.patient import PATIENT, _current_course_id, _my_page
from isotrack.web.pages.patient_language import patient_speaker
from isotrack.web.pages.prescriber import course_page_with
from isotrack.web.patient_form_errors import patient_form_errors
from isotrack.web.session import check_csrf, require_user, service

router = APIRouter()


def _refused(exc: FormErrors | IsotrackInputError) -> FormErrors:
    if isinstance(exc, FormErrors):
        return exc
    return FormErrors({}, [f"This assessment could not be recorded: {exc.summary}."])


@router.post("/courses/{course_id}/acne-assessments", include_in_schema=False)
async def record_assessment(request: Request, course_id: str) -> Response:
    user = require_user(request, PRESCRIBING_ROLES)
    submitted = await request.form()
    check_csrf(request, submitted.get("csrf_token"))
    values = form_values(submitted)
    try:
        event = assessment_from_form(
            knowledge(request), values, recorded_by=user.username, patient=False
        )
        record_event(service(request), user, course_id, event)
    except (FormErrors, IsotrackInputError) as exc:
        error = _refused(exc)
        state = {FORM_KEY: {"values": values, "errors": error.by_field, "general": error.general}}
        return course_page_with(
            request, course_id, form_state=state, open_form=FORM_KEY, status_code=422
        )
    return back_to_course(request, course_id, FORM_KEY, "response-heading")


@router.post("/me/acne-assessments", include_in_schema=False)
async def self_report(request: Request) -> Response:
    user = require_user(request, PATIENT)
    submitted = await request.form()
    check_csrf(request, submitted.get("csrf_token"))
    values = form_values(submitted)
    try:
        event = assessment_from_form(
            knowledge(request), values, recorded_by=user.username, patient=True
        )
        record_event(service(request), user, _current_course_id(request, user), event)
    except (FormErrors, IsotrackInputError) as exc:
        error = patient_form_errors(SELF_REPORT_KINDS, values, exc, patient_speaker(request, user))
        state = {FORM_KEY: {"values": values, "errors": error.by_field, "general": error.general}}
        return _my_page(request, user, state, FORM_KEY, status_code=422)
    return RedirectResponse(f"/me?recorded={FORM_KEY}#my-skin-heading", status_code=303)
