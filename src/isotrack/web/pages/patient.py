"""The patient's own page: the next three things to do, then progress and reports; and the
calendar (a download when signed in, a subscription through an expiring link)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from isotrack.domain.errors import IsotrackInputError
from isotrack.domain.timeline import Timeline
from isotrack.service import courses, patient_self
from isotrack.web.biology_sections import my_biology_context
from isotrack.web.clinic import record_event
from isotrack.web.course_view import CourseView, build_course_view
from isotrack.web.event_forms import FormErrors, event_from_form, problems_to_form_errors
from isotrack.web.i18n import Speaker, speaker
from isotrack.web.pages.common import form_values, knowledge, patient_forms, today
from isotrack.web.pages.patient_language import patient_speaker, words_context
from isotrack.web.patient_calendar import calendar_bytes
from isotrack.web.patient_form_errors import form_kinds, patient_form_errors
from isotrack.web.patient_forms import report_forms
from isotrack.web.patient_knowledge_words import crisis_in, myths_in
from isotrack.web.patient_words import PatientStep, next_things, patient_steps
from isotrack.web.safety_view import safety_view
from isotrack.web.session import WebUser, check_csrf, require_user, service
from isotrack.web.templating import render

router = APIRouter()

PATIENT = ("patient",)


def _current_course_id(request: Request, user: WebUser) -> str:
    return courses.my_current_course_id(service(request), user.user)


def _steps(view: CourseView, timeline: Timeline, day: dt.date) -> list[PatientStep]:
    items = view.schedule_model.items if view.schedule_model is not None else []
    return patient_steps(items, timeline, day)


def _my_page(
    request: Request,
    user: WebUser,
    form_state: dict[str, dict[str, Any]] | None = None,
    open_form: str | None = None,
    status_code: int = 200,
) -> Response:
    source = knowledge(request)
    words = patient_speaker(request, user)
    course_id = _current_course_id(request, user)
    course = courses.visible_course(service(request), user.user, course_id)
    name = courses.patient_name(service(request), course.header.patient_id)
    timeline = course.timeline()
    day = today(request)
    view = build_course_view(
        source, course_id=course_id, patient_name=name, timeline=timeline, as_of=day,
        include_history=False,
    )  # fmt: skip
    steps = _steps(view, timeline, day)
    allowed = courses.home_test_allowed(service(request), timeline, day)
    recorded = request.query_params.get("recorded")
    if recorded and form_state is None:
        request.state.flash = {
            "kind": "success",
            "text": words.gettext("Thank you: your care team has received it."),
        }
    # While an item-9 answer holds the course, the crisis guidance comes first and no myth
    # card is shown (the crisis lines of the market of the course's policy).
    crisis = safety_view(source, timeline, day, for_patient=True).crisis
    return render(
        request,
        "my_course.html",
        {
            **words_context(words),
            "course": view,
            "today": day,
            "next_things": next_things(steps, day),
            "more_steps": len(steps) > 3,
            "monthly": patient_self.patient_enters_monthly_steps(source, timeline, day),
            "urgent": any(a.severity == "critical" for a in view.alerts),
            "dose": view.dose,
            "myths": [] if crisis else myths_in(view.myths, words),
            "crisis": crisis_in(crisis, words) if crisis else None,
            "forms": report_forms(source, allowed, words),
            "home_test_allowed": allowed,
            "form_state": form_state or {},
            "open_form": open_form,
            "defaults": {"date": day.isoformat()},
            **my_biology_context(source, service(request), user.user, course_id, day, words),
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
    source = knowledge(request)
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
        rejected = patient_form_errors(
            form_kinds(form), values, rejected, patient_speaker(request, user)
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


def _calendar_response(
    request: Request, course_id: str, name: str, timeline: Timeline, words: Speaker
) -> Response:
    day = today(request)
    view = build_course_view(
        knowledge(request), course_id=course_id, patient_name=name, timeline=timeline, as_of=day,
        include_history=False,
    )  # fmt: skip
    body = calendar_bytes(
        course_id=course_id,
        steps=_steps(view, timeline, day),
        words=words,
        today=day,
        alarm_days_before=service(request).settings.reminder_days_before,
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
    words = patient_speaker(request, user)
    return _calendar_response(request, course_id, name, course.timeline(), words)


@router.get("/calendar/{token}.ics", include_in_schema=False)
def subscribed_calendar(request: Request, token: str) -> Response:
    """The subscription address: a live link stands in for a sign-in (issue 16: it expires,
    can be revoked by the patient, and dies with the account)."""
    account, course = patient_self.subscribed_course(service(request), token)
    name = courses.patient_name(service(request), course.header.patient_id)
    chosen = patient_self.my_preferences(service(request), account).language
    words = speaker(chosen or "en")
    return _calendar_response(request, course.header.id, name, course.timeline(), words)
