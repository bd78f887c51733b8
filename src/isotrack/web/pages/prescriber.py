"""The prescriber's pages: today's list, a course, recording events, enrolling a patient."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from isotrack.domain.errors import IsotrackInputError
from isotrack.domain.event_status import EventStatus, event_statuses
from isotrack.service import clinic_settings, courses, prescriber_ids, prescribing, worklist
from isotrack.service.access import recordable_types, within_reach
from isotrack.service.accounts import Role
from isotrack.service.enrolment import NewPatient
from isotrack.service.paging import MAX_PAGE_SIZE
from isotrack.web.biology_sections import course_biology_context
from isotrack.web.clinic import PRESCRIBING_ROLES, enrol, record_event
from isotrack.web.course_sections import COURSE_TABS, back_to_course, section_of
from isotrack.web.course_view import build_course_view
from isotrack.web.event_forms import EventForm, FormErrors, event_from_form, problems_to_form_errors
from isotrack.web.history import EVENT_LABELS
from isotrack.web.pages.amend import amend_fields
from isotrack.web.pages.common import event_forms, form_values, knowledge, today
from isotrack.web.plan_section import plan_section
from isotrack.web.prescribe_form import PrescribeState
from isotrack.web.safety_view import AlertRow, safety_view
from isotrack.web.session import check_csrf, require_user, service
from isotrack.web.templating import render
from isotrack.web.today_rows import STATUS_LABELS, today_row

router = APIRouter()
PAGE_SIZE = 50  # patients per page of the today list (``size`` in the address changes it)
# Patients whose open alerts the today page opens above the list (each is read and assessed
# for it; the others are counted, and the list's filters find them).
OPEN_ALERT_COURSES = 10


@router.get("/today", response_class=HTMLResponse, include_in_schema=False)
def today_page(request: Request) -> Response:
    return today_page_with(request)


def today_page_with(
    request: Request, *, review_errors: dict[str, str] | None = None, status_code: int = 200
) -> Response:
    """The prescriber's list, a page at a time from the worklist rows; open critical alerts
    first, each with its Review form (the first courses whose row shows a hold are read)."""
    user = require_user(request, PRESCRIBING_ROLES)
    day = today(request)
    source = knowledge(request)
    params = request.query_params
    q = params.get("q", "").strip()[:100]
    status = params.get("status", "")
    status = status if status in STATUS_LABELS else ""
    page = int(params["page"]) if params.get("page", "").isdigit() else 1
    size = int(params["size"]) if params.get("size", "").isdigit() else PAGE_SIZE
    size = min(max(size, 1), MAX_PAGE_SIZE)
    worklist.bring_rows_up_to_date(service(request), user.user)
    listing = worklist.today_worklist(
        service(request), user.user, page=max(1, page), page_size=size, q=q, filter=status
    )
    if listing.page > listing.pages:  # past the last page (the list got shorter): the last
        listing = worklist.today_worklist(
            service(request), user.user, page=listing.pages, page_size=size, q=q,
            filter=status,
        )  # fmt: skip
    open_alerts: list[tuple[str, str, AlertRow]] = []
    held, held_total = worklist.courses_on_hold(service(request), user.user, OPEN_ALERT_COURSES)
    for course in held:
        open_alerts.extend(
            (course.patient_name, course.course_id, a)
            for a in safety_view(source, course.timeline, day).open_alerts
        )
    open_alerts.sort(key=lambda found: (not found[2].item9, found[2].raised_on, found[0]))
    _flash_recorded(request)
    return render(
        request,
        "today.html",
        {
            "rows": [today_row(row) for row in listing.rows],
            "listing": listing,
            "query": q,
            "size": size if size != PAGE_SIZE else None,
            "status": status,
            "statuses": STATUS_LABELS,
            "today": day,
            "open_alerts": open_alerts,
            "held_more": held_total - len(held),
            "can_review": user.role == Role.PRESCRIBER.value,
            "signer": prescribing.who_signs(service(request), user.user),
            "review_errors": review_errors or {},
        },
        status_code=status_code,
    )


def _flash_recorded(request: Request) -> None:
    recorded = request.query_params.get("recorded")
    if recorded:
        request.state.flash = {
            "kind": "success",
            "text": f"Recorded: {EVENT_LABELS.get(recorded, recorded)}.",
        }


def _void_choices(timeline: Any, recordable: frozenset[str]) -> list[tuple[str, str]]:
    """The events this role may withdraw: standing, and of a type the role records."""
    statuses = event_statuses(timeline.events)
    return [
        (e.id, f"{e.date.isoformat()} {EVENT_LABELS.get(e.type, e.type)} ({e.id})")
        for e in reversed(timeline.events)
        if statuses[e.id] is not EventStatus.VOIDED
        and e.type not in ("void",)
        and e.type in recordable
    ]


def course_page_with(
    request: Request,
    course_id: str,
    *,
    as_of: dt.date | None = None,
    form_state: dict[str, dict[str, Any]] | None = None,
    open_form: str | None = None,
    review_errors: dict[str, str] | None = None,
    prescribe: PrescribeState | None = None,
    status_code: int = 200,
) -> Response:
    user = require_user(request, PRESCRIBING_ROLES)
    tab = section_of(request)  # a GET's ?tab=, or the section a form was sent from
    source = knowledge(request)
    course = courses.visible_course(service(request), user.user, course_id)
    name = courses.patient_name(service(request), course.header.patient_id)
    timeline = course.timeline()
    day = as_of or today(request)
    view = build_course_view(
        source, course_id=course_id, patient_name=name, timeline=timeline, as_of=day,
        units=clinic_settings.display_units(service(request)),
    )  # fmt: skip
    if form_state is None and prescribe is None and review_errors is None:
        _flash_recorded(request)
    every_form = event_forms(source)
    # Only the forms the service would accept from this role (a designee signs no
    # prescription); the prescription has its own form with the order-entry checks.
    # A course opened by breaking the glass (another prescriber's patient) is read only.
    header = course.header
    emergency = not within_reach(user.user, header.patient_id, header.prescriber_user_id)
    recordable = frozenset() if emergency else recordable_types(user.user)
    forms = [f for key, f in every_form.items() if key != "prescription" and f.type in recordable]
    safety = safety_view(source, timeline, day)
    can_sign = user.role == Role.PRESCRIBER.value and not emergency
    signer = (
        "the patient's prescriber"
        if emergency
        else prescribing.who_signs(service(request), user.user)
    )
    prescribe = prescribe or PrescribeState(
        can_sign=can_sign,
        signer=signer,
        form=every_form["prescription"],
        holds=safety.holds,
        stopped=safety.course_status if safety.course_status.startswith("stopped") else None,
    )
    return render(
        request,
        "course.html",
        {
            "course": view,
            "tabs": COURSE_TABS,
            "emergency": emergency,
            "recordable": recordable,
            "tab": tab,
            # on the action of every form of a section page, so the answer returns to it
            "form_query": f"?tab={tab}" if tab else "",
            "as_of_param": as_of.isoformat() if as_of else "",
            "decision": view.decision,
            "alerts": view.alerts,
            "requirements": view.requirements,
            "dose": view.dose,
            "lab_charts": view.lab_charts,
            "schedule": view.schedule,
            "history": view.history,
            "amend_fields": {
                e.id: fields
                for e in timeline.events
                if e.type in recordable and (fields := amend_fields([e]).get(e.id))
            },
            "plan": plan_section(service(request), user.user, course_id),
            "unavailable": view.unavailable,
            "forms": forms,
            "form_state": form_state or {},
            "open_form": open_form,
            "defaults": {
                "date": today(request).isoformat(),
                # The prescription form starts with the prescriber's programme id (account page).
                "prescriber_id": prescriber_ids.programme_id_for_prescribing(
                    service(request), user.user
                ),
            },
            "dynamic_choices": {"target_id": _void_choices(timeline, recordable)},
            "safety": safety,
            "prescribe": prescribe,
            "can_review": can_sign,
            "signer": signer,
            "review_errors": review_errors or {},
            **course_biology_context(
                source, service(request), user.user, course_id, day, request.query_params
            ),
        },
        status_code=status_code,
    )


@router.get("/courses/{course_id}", response_class=HTMLResponse, include_in_schema=False)
def course_page(request: Request, course_id: str, as_of: str = "") -> Response:
    day = None
    if as_of:
        try:
            day = dt.date.fromisoformat(as_of)
        except ValueError:
            day = None
    return course_page_with(request, course_id, as_of=day)


def rejected_state(form: EventForm, values: Any, error: FormErrors) -> dict[str, dict[str, Any]]:
    return {form.form_key: {"values": values, "errors": error.by_field, "general": error.general}}


@router.post("/courses/{course_id}/events", include_in_schema=False)
async def record_course_event(request: Request, course_id: str) -> Response:
    user = require_user(request, PRESCRIBING_ROLES)
    submitted = await request.form()
    check_csrf(request, submitted.get("csrf_token"))
    source = knowledge(request)
    forms = event_forms(source)
    form = forms.get(str(submitted.get("form_key", "")))
    if form is None:
        return course_page_with(request, course_id, status_code=400)
    values = form_values(submitted)
    try:
        event = event_from_form(form, values, recorded_by=user.username)
        record_event(service(request), user, course_id, event)
    except (FormErrors, IsotrackInputError) as exc:
        rejected = (
            exc if isinstance(exc, FormErrors) else problems_to_form_errors(form, exc.problems)
        )
        return course_page_with(
            request,
            course_id,
            form_state=rejected_state(form, values, rejected),
            open_form=form.form_key,
            status_code=422,
        )
    return back_to_course(request, course_id, form.type, "history-heading")


ENROL_FIELDS = (
    "display_name",
    "patient_id",
    "registry_id",
    "risk_form_signed_on",
    "risk_form_signed_by",
    "birth_date",
    "enrolled_on",
    "sex_at_birth",
    "policy",
)


def _enrol_page(
    request: Request,
    values: dict[str, str],
    errors: dict[str, str],
    status_code: int = 200,
    done: dict[str, str] | None = None,
) -> Response:
    source = knowledge(request)
    policies = sorted((p.id, p.title) for p in source.policies.values())
    return render(
        request,
        "enrol.html",
        {
            "values": values,
            "errors": errors,
            "policies": policies,
            "done": done,
            "today": today(request),
        },
        status_code=status_code,
    )


@router.get("/patients/new", response_class=HTMLResponse, include_in_schema=False)
def enrol_form(request: Request) -> Response:
    require_user(request, PRESCRIBING_ROLES)
    defaults = {"create_sign_in": "yes", "enrolled_on": today(request).isoformat()}
    return _enrol_page(request, defaults, {})


@router.post("/patients/new", include_in_schema=False)
async def enrol_submit(request: Request) -> Response:
    user = require_user(request, PRESCRIBING_ROLES)
    submitted = await request.form()
    check_csrf(request, submitted.get("csrf_token"))
    values = {k: str(v).strip() for k, v in submitted.items() if k != "csrf_token"}
    errors: dict[str, str] = {}
    if not values.get("display_name"):
        errors["display_name"] = "this field is required"
    try:
        birth = dt.date.fromisoformat(values.get("birth_date", ""))
    except ValueError:
        errors["birth_date"] = f"{values.get('birth_date', '')!r} is not a date; use YYYY-MM-DD"
        birth = today(request)
    enrolled_on = today(request)
    if values.get("enrolled_on"):
        try:
            enrolled_on = dt.date.fromisoformat(values["enrolled_on"])
        except ValueError:
            errors["enrolled_on"] = f"{values['enrolled_on']!r} is not a date; use YYYY-MM-DD"
    signed_on = None
    if values.get("risk_form_signed_on"):
        try:
            signed_on = dt.date.fromisoformat(values["risk_form_signed_on"])
        except ValueError:
            errors["risk_form_signed_on"] = "not a date; use YYYY-MM-DD"
    if values.get("sex_at_birth") not in ("female", "male", "intersex", "unknown"):
        errors["sex_at_birth"] = "choose one of the listed values"
    if values.get("can_get_pregnant") not in ("yes", "no"):
        errors["can_get_pregnant"] = "choose yes or no"
    if values.get("policy") not in knowledge(request).policies:
        errors["policy"] = "choose one of the listed policies"
    if not errors:
        try:
            enrolment = enrol(
                service(request),
                user,
                NewPatient(
                    id=values.get("patient_id") or None,
                    display_name=values["display_name"],
                    birth_date=birth,
                    sex_at_birth=values["sex_at_birth"],
                    can_get_pregnant=values["can_get_pregnant"] == "yes",
                    policy=values["policy"],
                    registry_id=values.get("registry_id") or None,
                    risk_form_signed_on=signed_on,
                    risk_form_signed_by=values.get("risk_form_signed_by") or None,
                ),
                on=enrolled_on,
                create_sign_in=values.get("create_sign_in") == "yes",
            )
        except ValidationError as exc:
            for error in exc.errors():
                name = {"id": "patient_id"}.get(str(error["loc"][0]), str(error["loc"][0]))
                errors[name] = str(error["msg"])
        except IsotrackInputError as exc:
            for problem in exc.problems:
                name = {"id": "patient_id"}.get(problem.field, problem.field)
                errors[name if name in ENROL_FIELDS else "display_name"] = (
                    f"{problem.value!r} is not allowed; allowed: {problem.allowed}"
                )
        else:
            return _enrol_page(
                request,
                {},
                {},
                done={
                    "course_id": enrolment.course_id,
                    "patient_id": enrolment.patient_id,
                    "username": enrolment.username or "",
                    "password": enrolment.password or "",
                },
            )
    return _enrol_page(request, values, errors, status_code=422)
