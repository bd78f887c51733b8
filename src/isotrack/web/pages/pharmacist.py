"""The pharmacist's dispense check: find, decide (recorded), and record the dispense."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from isotrack.domain.errors import IsotrackInputError
from isotrack.domain.events import Dispensed
from isotrack.engines.programme import DispenseDecision
from isotrack.service import courses, dispensing, pharmacy_queue, search
from isotrack.service.access import Action
from isotrack.web.clinic import check_and_record, dispensed_with, find_for_dispense
from isotrack.web.decision_view import decision_view
from isotrack.web.pages.common import knowledge, today
from isotrack.web.session import check_csrf, require_user, service
from isotrack.web.templating import render

router = APIRouter()

PHARMACIST = ("pharmacist",)


@router.get("/dispense", response_class=HTMLResponse, include_in_schema=False)
def dispense_search(request: Request, q: str = "") -> Response:
    user = require_user(request, PHARMACIST)
    matches = find_for_dispense(service(request), user, q)
    people: list[search.PatientFound] = []
    if q.strip() and not matches and len(q) <= search.QUERY_MAX_CHARS:
        # Not an identifier or a code: a name or a birth date; one person opens at once.
        people = search.search_patients(service(request), user.user, q)
        if len(people) == 1:
            matches = find_for_dispense(service(request), user, people[0].patient_id)
            people = []
    return render(
        request,
        "dispense.html",
        {"query": q, "matches": matches, "people": people, "today": today(request)},
        status_code=200 if matches or people or not q else 404,
    )


@router.post("/dispense/check", include_in_schema=False)
async def dispense_check(request: Request) -> Response:
    user = require_user(request, PHARMACIST)
    form = await request.form()
    check_csrf(request, form.get("csrf_token"))
    # Always decided for today: a date sent with the form (an old page) is ignored.
    record = check_and_record(
        service(request),
        user,
        course_id=str(form.get("course_id", "")),
        prescription_id=str(form.get("prescription_id", "")) or None,
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
    user = require_user(request, PHARMACIST)
    record = dispensing.authorization(service(request), user.user, code)
    course = courses.visible_course(
        service(request), user.user, record.course_id, Action.DECIDE_DISPENSE
    )
    name = courses.patient_name(service(request), course.header.patient_id)
    decision = DispenseDecision.model_validate(record.decision)
    view = decision_view(knowledge(request).sources, decision, code=record.code)
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
    if course.header.policy.startswith("us-ipledge"):
        # iPLEDGE gives the pharmacy an RMA number and a do-not-dispense-after date per fill.
        dispense_fields += [
            ("rma_number", "iPLEDGE RMA number", values.get("rma_number", ""),
             "The Risk Management Authorization the programme gave for this fill"),
            ("do_not_dispense_after", "iPLEDGE do-not-dispense-after date",
             values.get("do_not_dispense_after", ""), "As given with the RMA number"),
        ]  # fmt: skip
    paper = pharmacy_queue.prescription_of(
        service(request), user.user, record.course_id, record.prescription_id
    )
    return render(
        request,
        "authorization.html",
        {
            "prescription": paper,
            "decision": view,
            "patient_name": name,
            "patient_id": course.header.patient_id,
            "dispensed": _dispensed_text(done) if done else None,
            "dispense_fields": dispense_fields,
            "errors": errors or {},
            "general_error": general_error,
        },
        status_code=status_code,
    )


def _dispensed_text(done: Dispensed) -> str:
    text = f"{done.days_supply} days on {done.date.isoformat()}"
    if done.rma_number:
        text += f", iPLEDGE RMA {done.rma_number}"
        if done.do_not_dispense_after:
            text += f" (do not dispense after {done.do_not_dispense_after.isoformat()})"
    return text


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
    record = dispensing.authorization(service(request), user.user, code)
    if not record.authorized:
        return _authorization_page(
            request, code, values=values, status_code=409,
            general_error="This decision does not authorize a dispense; run a new check.",
        )  # fmt: skip
    errors: dict[str, str] = {}
    try:
        # The same use case, and so the same checks, as a dispense sent to the API.
        dispensing.record_dispense(
            service(request),
            user.user,
            code,
            dispensed_on=values.get("date", ""),
            days_supply=values.get("days_supply", ""),
            capsules=values.get("capsules") or None,
            rma_number=values.get("rma_number") or None,
            do_not_dispense_after=values.get("do_not_dispense_after") or None,
        )
    except IsotrackInputError as exc:
        for problem in exc.problems:
            name = problem.field.split(".")[0]
            known = ("date", "days_supply", "capsules", "rma_number", "do_not_dispense_after")
            errors[name if name in known else "date"] = (
                f"{problem.value!r} is not allowed; allowed: {problem.allowed}"
            )
    if errors:
        return _authorization_page(request, code, errors, values, status_code=422)
    return RedirectResponse(
        f"/dispense/authorizations/{quote(code)}#dispense-recorded", status_code=303
    )
