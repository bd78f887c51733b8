"""The patient's own settings and monthly steps: e-mail, language and reminders; calendar
links (made, shown once, revoked); the comprehension questions and the contraception
confirmation where the programme has the patient enter them (decision 42)."""

from __future__ import annotations

import uuid
from contextlib import suppress
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from isotrack.domain.errors import IsotrackInputError, RecordNotFound
from isotrack.domain.events import (
    ComprehensionChecked,
    ContraceptionMethodCode,
    ContraceptionRecorded,
)
from isotrack.domain.timeline import effective_events, events_of
from isotrack.service import courses, patient_self
from isotrack.web.clinic import record_event
from isotrack.web.contraception_words import METHOD_WORDS
from isotrack.web.i18n import LANGUAGE_NAMES, N_
from isotrack.web.pages.common import knowledge, today
from isotrack.web.pages.patient_language import patient_speaker, words_context
from isotrack.web.plain_sources import plain_sources
from isotrack.web.session import WebUser, check_csrf, require_user, service
from isotrack.web.templating import render

router = APIRouter()
PATIENT = ("patient",)


def _settings_page(
    request: Request,
    user: WebUser,
    *,
    new_link: str | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    words = patient_speaker(request, user)
    chosen = patient_self.my_preferences(service(request), user.user)
    links = patient_self.my_calendar_links(service(request), user.user)
    base = str(request.base_url).rstrip("/")
    return render(
        request,
        "my_settings.html",
        {
            **words_context(words),
            "chosen": chosen,
            "languages": LANGUAGE_NAMES,
            "links": links,
            "new_link": f"{base}/calendar/{new_link}.ics" if new_link else None,
            "days_before": service(request).settings.reminder_days_before,
            "email_configured": service(request).settings.smtp_host is not None,
            "errors": errors or {},
        },
        status_code,
    )


@router.get("/me/settings", response_class=HTMLResponse, include_in_schema=False)
def my_settings(request: Request) -> Response:
    return _settings_page(request, require_user(request, PATIENT))


@router.post("/me/settings", include_in_schema=False)
async def save_settings(request: Request) -> Response:
    user = require_user(request, PATIENT)
    sent = await request.form()
    check_csrf(request, sent.get("csrf_token"))
    try:
        patient_self.set_my_preferences(
            service(request), user.user,
            email=str(sent.get("email", "")), language=str(sent.get("language", "")),
            email_reminders=sent.get("email_reminders") == "yes",
        )  # fmt: skip
    except IsotrackInputError as refused:
        words = patient_speaker(request, user)
        errors = {p.field: words.gettext(_FIELD_ERRORS.get(p.field, "")) for p in refused.problems}
        return _settings_page(request, user, errors=errors, status_code=422)
    return RedirectResponse("/me/settings?saved=1", status_code=303)


_FIELD_ERRORS = {  # said next to the field, in the patient's language
    "email": N_("Write an e-mail address such as name@example.org (needed for e-mail reminders)."),
    "language": N_("Choose one of the languages listed."),
}


@router.post("/me/calendar-links", include_in_schema=False)
async def make_calendar_link(request: Request) -> Response:
    user = require_user(request, PATIENT)
    check_csrf(request, (await request.form()).get("csrf_token"))
    made = patient_self.new_calendar_link(service(request), user.user)
    return _settings_page(request, user, new_link=made.token)


@router.post("/me/calendar-links/revoke", include_in_schema=False)
async def revoke_calendar_link(request: Request) -> Response:
    user = require_user(request, PATIENT)
    sent = await request.form()
    check_csrf(request, sent.get("csrf_token"))
    # Already revoked or expired: nothing to do; the list on the page says what still works.
    with suppress(RecordNotFound):
        patient_self.revoke_my_calendar_link(service(request), user.user, str(sent.get("link")))
    return RedirectResponse("/me/settings#calendar", status_code=303)


# --- the monthly questions and contraception ---------------------------------------------


def _monthly_page(
    request: Request,
    user: WebUser,
    answers: dict[str, Any] | None = None,
    status_code: int = 200,
    problem: str | None = None,
) -> Response:
    source = knowledge(request)
    words = patient_speaker(request, user)
    course_id = courses.my_current_course_id(service(request), user.user)
    timeline = courses.visible_course(service(request), user.user, course_id).timeline()
    allowed = patient_self.patient_enters_monthly_steps(source, timeline, today(request))
    records = events_of(list(effective_events(timeline)), ContraceptionRecorded)
    current = records[-1] if records else None
    questions = patient_self.comprehension_questions(source)
    return render(
        request,
        "my_monthly.html",
        {
            **words_context(words),
            "allowed": allowed,
            "questions": [(q, plain_sources(source, q.source_ids, words)) for q in questions],
            "methods": METHOD_WORDS,
            "current": current,
            "answers": answers,
            "problem": problem,
        },
        status_code,
    )


@router.get("/me/monthly", response_class=HTMLResponse, include_in_schema=False)
def monthly(request: Request) -> Response:
    user = require_user(request, PATIENT)
    sent_on = request.query_params.get("sent", "")
    graded = _sent_answers(request, user, sent_on) if sent_on else None
    if graded is not None:
        return _monthly_page(request, user, {"_graded": graded})
    return _monthly_page(request, user)


def _sent_answers(
    request: Request, user: WebUser, sent_on: str
) -> list[patient_self.Answered] | None:
    """The answers the patient sent on that day, read back from the stored check (post,
    redirect, get: a reload shows them again and records nothing). The address holds the
    day, not the record's id, which is nothing the patient needs to read."""
    course_id = courses.my_current_course_id(service(request), user.user)
    timeline = courses.visible_course(service(request), user.user, course_id).timeline()
    checks = events_of(list(effective_events(timeline)), ComprehensionChecked)
    mine = [c for c in checks if c.date.isoformat() == sent_on and c.recorded_by == user.username]
    return patient_self.answers_on_record(knowledge(), mine[-1]) if mine else None


@router.post("/me/monthly", include_in_schema=False)
async def send_monthly(request: Request) -> Response:
    user = require_user(request, PATIENT)
    sent = await request.form()
    check_csrf(request, sent.get("csrf_token"))
    source, day = knowledge(request), today(request)
    answers = {k: str(v) for k, v in sent.items() if k.startswith("comprehension.")}
    graded = patient_self.grade_answers(source, answers)
    words = patient_speaker(request, user)
    if any(a.chosen is None for a in graded):
        problem = words.gettext("Please answer every question.")
        return _monthly_page(request, user, answers, 422, problem)
    still = sent.get("contraception") == "same"
    chosen = [str(v) for v in sent.getlist("methods")]
    if not still and sent.get("contraception") != "changed":
        problem = words.gettext("Please say whether you still use the same contraception.")
        return _monthly_page(request, user, answers, 422, problem)
    course_id = courses.my_current_course_id(service(request), user.user)
    timeline = courses.visible_course(service(request), user.user, course_id).timeline()
    records = events_of(list(effective_events(timeline)), ContraceptionRecorded)
    if still and records:
        methods, abstinence = list(records[-1].methods), records[-1].abstinence
    else:
        known = {m.value for m in ContraceptionMethodCode}
        methods = [ContraceptionMethodCode(c) for c in chosen if c in known]
        abstinence = sent.get("abstinence") == "yes"
    check = patient_self.comprehension_event(
        graded, event_id=f"web-{uuid.uuid4().hex[:16]}", on=day,
        username=user.username,
    )  # fmt: skip
    record_event(service(request), user, course_id, check)
    confirmation = ContraceptionRecorded(
        id=f"web-{uuid.uuid4().hex[:16]}", date=day, methods=methods,
        abstinence=abstinence, recorded_by=user.username,
        note="Confirmed by the patient in the app." if still else "Entered by the patient "
        "in the app: a change from the previous record.",
    )  # fmt: skip
    record_event(service(request), user, course_id, confirmation)
    return RedirectResponse(f"/me/monthly?sent={day.isoformat()}#monthly-result", status_code=303)
