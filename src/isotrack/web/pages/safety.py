"""Clinical safety on the prescriber's pages: reviewing an alert, signing a prescription
through the order-entry check, and the printable pregnancy exposure report."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from isotrack.domain.errors import (
    ClinicalHoldsUnreviewed,
    IsotrackInputError,
    WarningsNotConfirmed,
)
from isotrack.domain.events import AlertReviewed
from isotrack.service import courses, prescribing
from isotrack.service.accounts import Role
from isotrack.service.prescribing import PrescriptionRequest
from isotrack.web.clinic import PRESCRIBING_ROLES, record_event
from isotrack.web.course_sections import back_to_course
from isotrack.web.course_view import patient_summary
from isotrack.web.event_forms import FormErrors, event_from_form
from isotrack.web.pages.common import event_forms, form_values, knowledge, today
from isotrack.web.pages.prescriber import course_page_with, today_page_with
from isotrack.web.prescribe_form import PrescribeState, reviews_from_form
from isotrack.web.safety_view import safety_view
from isotrack.web.session import check_csrf, require_user, service
from isotrack.web.templating import render

router = APIRouter()


@router.post("/courses/{course_id}/alerts/review", include_in_schema=False)
async def review_alert(request: Request, course_id: str) -> Response:
    user = require_user(request, (Role.PRESCRIBER.value,))
    form = await request.form()
    check_csrf(request, form.get("csrf_token"))
    alert_id = str(form.get("alert_id", ""))
    outcome = str(form.get("outcome", ""))
    note = str(form.get("note", "")).strip()
    back = "today" if form.get("back") == "today" else "course"
    error = None
    if outcome not in ("continue", "hold", "stop"):
        error = "Choose continue, keep on hold or stop."
    elif not note:
        error = "Write why: the review is kept in the record."
    else:
        review = AlertReviewed(
            id=f"review-{secrets.token_hex(4)}",
            date=today(request), alert_id=alert_id, outcome=outcome,
            note=note, recorded_by=user.username,
        )  # fmt: skip
        try:
            record_event(service(request), user, course_id, review)
        except IsotrackInputError:
            error = "This alert is no longer in the record; reload the page."
    if error is not None:
        errors = {alert_id: error}
        if back == "today":
            return today_page_with(request, review_errors=errors, status_code=422)
        return course_page_with(request, course_id, review_errors=errors, status_code=422)
    if back == "today":
        return RedirectResponse("/today?recorded=alert_review", status_code=303)
    return back_to_course(request, course_id, "alert_review", "safety-heading")


@router.post("/courses/{course_id}/prescriptions", include_in_schema=False)
async def sign_prescription(request: Request, course_id: str) -> Response:
    user = require_user(request, PRESCRIBING_ROLES)
    submitted = await request.form()
    check_csrf(request, submitted.get("csrf_token"))
    source = knowledge(request)
    form = event_forms(source)["prescription"]
    values = form_values(submitted)
    for name in ("review_alert_id", "review_note", "confirm_warnings", "confirm_above_maximum"):
        values.pop(name, None)
    alert_ids = [str(v) for v in submitted.getlist("review_alert_id")]
    notes = [str(v) for v in submitted.getlist("review_note")]
    timeline = courses.visible_course(service(request), user.user, course_id).timeline()
    holds = safety_view(source, timeline, today(request)).holds
    state = PrescribeState(
        can_sign=user.role == Role.PRESCRIBER.value,
        signer=prescribing.who_signs(service(request), user.user),
        form=form, holds=holds, values=dict(values), notes=notes,
    )  # fmt: skip
    try:
        event = event_from_form(form, values, recorded_by=user.username)
        prescribing.write_prescription(
            service(request),
            user.user,
            course_id,
            PrescriptionRequest(
                prescription=event.model_dump(mode="json", exclude_none=True),
                reviews=reviews_from_form(alert_ids, notes, today(request)),
                confirm_warnings=submitted.get("confirm_warnings") == "yes",
                confirm_above_maximum=submitted.get("confirm_above_maximum") == "yes",
            ),
        )
    except FormErrors as exc:
        state.errors, state.general = exc.by_field, exc.general
    except ClinicalHoldsUnreviewed as exc:
        state.hold_errors = {
            str(p.value): "Give your reason to continue, or review the alert on its own."
            for p in exc.problems
        }
    except WarningsNotConfirmed as exc:
        state.warnings = exc.warnings
        if submitted.get("confirm_warnings") == "yes":
            state.general = ["Confirm the dose above the labelled maximum a second time."]
    except IsotrackInputError as exc:
        for problem in exc.problems:
            name = problem.field if form.field_named(problem.field) else ""
            text = str(problem.allowed)
            if name:
                state.errors[name] = text
            else:
                state.general.append(text)
    else:
        return back_to_course(request, course_id, "prescription", "history-heading")
    return course_page_with(request, course_id, prescribe=state, status_code=422)


@router.get(
    "/courses/{course_id}/pregnancy-exposure", response_class=HTMLResponse,
    include_in_schema=False,
)  # fmt: skip
def exposure_report(request: Request, course_id: str) -> Response:
    user = require_user(request, PRESCRIBING_ROLES)
    source = knowledge(request)
    course = courses.visible_course(service(request), user.user, course_id)
    timeline = course.timeline()
    day = today(request)
    view = safety_view(source, timeline, day)
    policy = source.policies.get(timeline.policy)
    return render(
        request,
        "exposure_report.html",
        {
            "course_id": course_id,
            "patient_name": courses.patient_name(service(request), course.header.patient_id),
            "patient_id": course.header.patient_id,
            "summary": patient_summary(timeline, day),
            "policy_title": policy.title if policy else timeline.policy,
            "as_of": day,
            "exposure": view.exposure,
            "course_status": view.course_status,
        },
    )
