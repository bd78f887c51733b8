"""The patient's own pages: my course, reporting, and my calendar."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from isotrack.domain.errors import IsotrackInputError
from isotrack.interop.ical import course_calendar
from isotrack.service import courses
from isotrack.web.biology_sections import my_biology_context
from isotrack.web.clinic import record_event
from isotrack.web.course_view import build_course_view
from isotrack.web.event_forms import FormErrors, event_from_form, problems_to_form_errors
from isotrack.web.history import EVENT_LABELS
from isotrack.web.pages.common import form_values, knowledge, patient_forms, today
from isotrack.web.safety_view import safety_view
from isotrack.web.session import WebUser, check_csrf, require_user, service
from isotrack.web.templating import render

router = APIRouter()

PATIENT = ("patient",)


def _current_course_id(request: Request, user: WebUser) -> str:
    return courses.my_current_course_id(service(request), user.user)


def _my_page(
    request: Request,
    user: WebUser,
    form_state: dict[str, dict[str, Any]] | None = None,
    open_form: str | None = None,
    status_code: int = 200,
) -> Response:
    source = knowledge()
    course_id = _current_course_id(request, user)
    course = courses.visible_course(service(request), user.user, course_id)
    name = courses.patient_name(service(request), course.header.patient_id)
    timeline = course.timeline()
    day = today(request)
    view = build_course_view(
        source, course_id=course_id, patient_name=name, timeline=timeline, as_of=day,
        include_history=False,
    )  # fmt: skip
    mine = [s for s in view.schedule if s.status != "overdue" or s.who == "patient"]
    next_steps = [s for s in mine if s.last_day is None or s.last_day >= day][:6]
    allowed = courses.home_test_allowed(service(request), timeline, today(request))
    recorded = request.query_params.get("recorded")
    if recorded and form_state is None:
        request.state.flash = {
            "kind": "success",
            "text": f"Thank you — sent to your care team: {EVENT_LABELS.get(recorded, recorded)}.",
        }
    path = f"/calendar/{course_id}/{courses.calendar_signature(service(request), course_id)}.ics"
    patient_alerts = [a for a in view.alerts if a.severity == "critical"]
    # While an item-9 answer holds the course, the crisis guidance comes first and no myth
    # card is shown (the crisis lines of the market of the course's policy).
    crisis = safety_view(source, timeline, day, for_patient=True).crisis
    return render(
        request,
        "my_course.html",
        {
            "course": view,
            "next_steps": next_steps,
            "alerts": patient_alerts,
            "dose": view.dose,
            "myths": [] if crisis else view.myths,
            "crisis": crisis,
            "unavailable": view.unavailable,
            "forms": list(patient_forms(source, allowed).values()),
            "home_test_allowed": allowed,
            "form_state": form_state or {},
            "open_form": open_form,
            "defaults": {"date": day.isoformat()},
            "calendar_url": path,
            "calendar_absolute_url": str(request.base_url).rstrip("/") + path,
            **my_biology_context(source, service(request), user.user, course_id, day),
        },
        status_code=status_code,
    )


@router.get("/me", response_class=HTMLResponse, include_in_schema=False)
def my_course(request: Request) -> Response:
    user = require_user(request, PATIENT)
    return _my_page(request, user)


@router.post("/me/events", include_in_schema=False)
async def report(request: Request) -> Response:
    user = require_user(request, PATIENT)
    submitted = await request.form()
    check_csrf(request, submitted.get("csrf_token"))
    source = knowledge()
    course_id = _current_course_id(request, user)
    timeline = courses.visible_course(service(request), user.user, course_id).timeline()
    forms = patient_forms(
        source, courses.home_test_allowed(service(request), timeline, today(request))
    )
    form = forms.get(str(submitted.get("form_key", "")))
    if form is None:
        return _my_page(request, user, status_code=400)
    values = form_values(submitted)
    try:
        event = event_from_form(form, values, recorded_by=user.username)
        record_event(service(request), user, course_id, event)
    except (FormErrors, IsotrackInputError) as exc:
        rejected = (
            exc if isinstance(exc, FormErrors) else problems_to_form_errors(form, exc.problems)
        )
        state = {
            form.form_key: {
                "values": values,
                "errors": rejected.by_field,
                "general": rejected.general,
            }
        }
        return _my_page(request, user, state, form.form_key, status_code=422)
    return RedirectResponse(f"/me?recorded={form.type}", status_code=303)


def _calendar_response(request: Request, course_id: str, name: str, timeline: Any) -> Response:
    view = build_course_view(
        knowledge(),
        course_id=course_id,
        patient_name=name,
        timeline=timeline,
        as_of=today(request),
        include_history=False,
    )
    items = view.schedule_model.items if view.schedule_model is not None else []
    body = course_calendar(
        course_id=course_id,
        calendar_name="My isotretinoin course",
        items=items,
        generated_at=dt.datetime.now(dt.UTC),
    )
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": 'inline; filename="isotrack-course.ics"'},
    )


@router.get("/me/calendar.ics", include_in_schema=False)
def my_calendar(request: Request) -> Response:
    user = require_user(request, PATIENT)
    course_id = _current_course_id(request, user)
    course = courses.visible_course(service(request), user.user, course_id)
    name = courses.patient_name(service(request), course.header.patient_id)
    return _calendar_response(request, course_id, name, course.timeline())


@router.get("/calendar/{course_id}/{signature}.ics", include_in_schema=False)
def subscribed_calendar(request: Request, course_id: str, signature: str) -> Response:
    """The subscription address: the signature stands in for a sign-in."""
    course = courses.subscribed_course(service(request), course_id, signature)
    name = courses.patient_name(service(request), course.header.patient_id)
    return _calendar_response(request, course_id, name, course.timeline())
