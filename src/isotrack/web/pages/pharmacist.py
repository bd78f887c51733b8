"""The pharmacist's dispense check: find, decide (recorded), and record the dispense."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from isotrack.domain.errors import IsotrackInputError
from isotrack.domain.events import Dispensed
from isotrack.domain.timeline import parse_event
from isotrack.engines.programme import DispenseDecision
from isotrack.store.authorizations import authorization_by_code
from isotrack.store.courses import read_course
from isotrack.web.clinic import (
    CourseHidden,
    check_and_record,
    dispensed_with,
    find_for_dispense,
    patient_name,
    record_event,
)
from isotrack.web.course_view import decision_view
from isotrack.web.pages.common import knowledge, today
from isotrack.web.session import check_csrf, database, require_user, service
from isotrack.web.templating import render

router = APIRouter()

PHARMACIST = ("pharmacist",)


@router.get("/dispense", response_class=HTMLResponse, include_in_schema=False)
def dispense_search(request: Request, q: str = "") -> Response:
    require_user(request, PHARMACIST)
    with database(request).reading() as connection:
        matches = find_for_dispense(connection, q)
    return render(
        request,
        "dispense.html",
        {"query": q, "matches": matches, "today": today(request)},
        status_code=200 if matches or not q else 404,
    )


@router.post("/dispense/check", include_in_schema=False)
async def dispense_check(request: Request) -> Response:
    user = require_user(request, PHARMACIST)
    form = await request.form()
    check_csrf(request, form.get("csrf_token"))
    try:
        on = dt.date.fromisoformat(str(form.get("on", "")))
    except ValueError:
        on = today(request)
    record = check_and_record(
        service(request),
        user,
        course_id=str(form.get("course_id", "")),
        prescription_id=str(form.get("prescription_id", "")) or None,
        on=on,
    )
    return RedirectResponse(f"/dispense/authorizations/{record.code}", status_code=303)


def _authorization_page(
    request: Request,
    code: str,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    general_error: str | None = None,
    status_code: int = 200,
) -> Response:
    with database(request).reading() as connection:
        record = authorization_by_code(connection, code)
        if record is None:
            raise CourseHidden(code)
        course = read_course(connection, record.course_id)
        name = patient_name(connection, course.header.patient_id)
    decision = DispenseDecision.model_validate(record.decision)
    view = decision_view(knowledge().sources, decision, code=record.code)
    timeline = course.timeline()
    done = dispensed_with(timeline, record.code)
    values = values or {}
    supply = str(record.max_days_supply or "")
    dispense_fields = [
        ("date", "Dispensed on", values.get("date", record.decided_on.isoformat()), ""),
        ("days_supply", "Days supply", values.get("days_supply", supply),
         f"At most {supply} days" if supply else ""),
        ("capsules", "Capsules (optional)", values.get("capsules", ""), ""),
    ]  # fmt: skip
    return render(
        request,
        "authorization.html",
        {
            "decision": view,
            "patient_name": name,
            "patient_id": course.header.patient_id,
            "dispensed": f"{done.days_supply} days on {done.date.isoformat()}" if done else None,
            "dispense_fields": dispense_fields,
            "errors": errors or {},
            "general_error": general_error,
        },
        status_code=status_code,
    )


@router.get("/dispense/authorizations/{code}", response_class=HTMLResponse, include_in_schema=False)
def authorization_page(request: Request, code: str) -> Response:
    require_user(request, PHARMACIST)
    return _authorization_page(request, code)


@router.post("/dispense/authorizations/{code}/dispense", include_in_schema=False)
async def record_dispense(request: Request, code: str) -> Response:
    user = require_user(request, PHARMACIST)
    form = await request.form()
    check_csrf(request, form.get("csrf_token"))
    values = {k: str(v).strip() for k, v in form.items() if k != "csrf_token"}
    with database(request).reading() as connection:
        record = authorization_by_code(connection, code)
    if record is None:
        raise CourseHidden(code)
    if not record.authorized:
        return _authorization_page(
            request, code, values=values, status_code=409,
            general_error="This decision does not authorize a dispense; run a new check.",
        )  # fmt: skip
    data: dict[str, object] = {
        "id": f"dispense-{record.code.lower()}",
        "type": "dispense",
        "date": values.get("date") or record.decided_on.isoformat(),
        "recorded_by": user.username,
        "prescription_id": record.prescription_id,
        "days_supply": values.get("days_supply", ""),
        "authorization_code": record.code,
        "pharmacy_id": user.username,
    }
    if values.get("capsules"):
        data["capsules"] = values["capsules"]
    errors: dict[str, str] = {}
    try:
        event = parse_event(data)
        limit = record.max_days_supply
        if isinstance(event, Dispensed) and limit is not None and event.days_supply > limit:
            errors["days_supply"] = f"at most {record.max_days_supply} days under this decision"
        else:
            record_event(service(request), user, record.course_id, event)
    except IsotrackInputError as exc:
        for problem in exc.problems:
            name = problem.field.split(".")[0]
            errors[name if name in ("date", "days_supply", "capsules") else "date"] = (
                f"{problem.value!r} is not allowed; allowed: {problem.allowed}"
            )
    if errors:
        return _authorization_page(request, code, errors, values, status_code=422)
    return RedirectResponse(
        f"/dispense/authorizations/{quote(code)}#dispense-recorded", status_code=303
    )
