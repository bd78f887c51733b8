"""My sign-in security, for every role: change my password, see and end my sessions."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from isotrack.domain.errors import IsotrackInputError, RecordNotFound
from isotrack.service import accounts, prescriber_ids, second_factor
from isotrack.web.session import WebUser, check_csrf, require_user, service
from isotrack.web.templating import render

router = APIRouter()

ALL_ROLES = ("admin", "prescriber", "designee", "pharmacist", "patient", "auditor")
STAFF_ROLES = tuple(r for r in ALL_ROLES if r != "patient")
_FIELD_LABELS = {"current_password": "Current password", "new_password": "New password"}


def _when(epoch_seconds: int) -> str:
    return dt.datetime.fromtimestamp(epoch_seconds, dt.UTC).strftime("%d %b %Y %H:%M UTC")


def _page(
    request: Request,
    user: WebUser,
    errors: dict[str, str] | None = None,
    notice: str | None = None,
    status_code: int = 200,
    code_error: str | None = None,
    programme_id_error: str | None = None,
    programme_id_typed: str | None = None,
) -> HTMLResponse:
    sessions = [
        {
            # Never shown: the form posts it back to end that session.
            "id": s.session_id,
            "kind": "this browser" if s.session_id == user.session_hash else s.kind.value,
            "current": s.session_id == user.session_hash,
            "since": _when(s.created_at),
            "until": _when(s.expires_at),
        }
        for s in accounts.my_sessions(service(request), user.user)
    ]
    staff = user.role != "patient"
    state = second_factor.state_of(service(request), user.user).value if staff else None
    enrolment = (
        second_factor.pending_enrolment(service(request), user.user) if state == "pending" else None
    )
    return render(
        request,
        "account_security.html",
        {
            "sessions": sessions,
            "errors": errors or {},
            "notice": notice,
            "factor_state": state,
            "enrolment": enrolment,
            "code_error": code_error,
            "is_prescriber": user.role == "prescriber",
            "programme_id": programme_id_typed
            if programme_id_typed is not None
            else prescriber_ids.programme_id_for_prescribing(service(request), user.user),
            "programme_id_error": programme_id_error,
        },
        status_code=status_code,
    )


@router.get("/account/security", response_class=HTMLResponse, include_in_schema=False)
def security_page(request: Request, done: str = "") -> Response:
    user = require_user(request, ALL_ROLES)
    notices = {
        "password": "Your password is changed. Your other sessions have ended.",
        "ended": "That session has ended.",
        "programme_id": "Your programme id is saved; new prescription forms start with it.",
        "factor": "Your sign-in code is on: from now on you sign in with your password and a "
        "code from your app. Your other sessions have ended.",
    }
    return _page(request, user, notice=notices.get(done))


@router.post("/account/password", include_in_schema=False)
async def change_password(request: Request) -> Response:
    user = require_user(request, ALL_ROLES)
    form = await request.form()
    check_csrf(request, form.get("csrf_token"))
    try:
        accounts.change_password(
            service(request),
            user.user,
            str(form.get("current_password", "")),
            str(form.get("new_password", "")),
            keep_session_sha256=user.session_hash,
        )
    except IsotrackInputError as exc:
        errors = {
            p.field: f"{_FIELD_LABELS.get(p.field, 'This field')}: {p.allowed} is needed."
            for p in exc.problems
        }
        return _page(request, user, errors=errors, status_code=422)
    return RedirectResponse("/account/security?done=password", status_code=303)


@router.post("/account/programme-id", include_in_schema=False)
async def change_programme_id(request: Request) -> Response:
    user = require_user(request, ("prescriber",))
    form = await request.form()
    check_csrf(request, form.get("csrf_token"))
    typed = str(form.get("programme_id", ""))
    try:
        prescriber_ids.change_programme_id(service(request), user.user, user.user.id, typed)
    except IsotrackInputError as exc:
        message = f"“{typed.strip()}” is not accepted: it must be {exc.problems[0].allowed}."
        return _page(request, user, status_code=422, programme_id_error=message,
                     programme_id_typed=typed)  # fmt: skip
    return RedirectResponse("/account/security?done=programme_id", status_code=303)


@router.post("/account/sessions/end", include_in_schema=False)
async def end_session(request: Request) -> Response:
    user = require_user(request, ALL_ROLES)
    form = await request.form()
    check_csrf(request, form.get("csrf_token"))
    try:
        accounts.revoke_my_session(service(request), user.user, str(form.get("session", "")))
    except RecordNotFound:
        return _page(request, user, notice="That session had already ended.", status_code=404)
    return RedirectResponse("/account/security?done=ended", status_code=303)


@router.post("/account/second-factor/start", include_in_schema=False)
async def start_second_factor(request: Request) -> Response:
    user = require_user(request, STAFF_ROLES)
    form = await request.form()
    check_csrf(request, form.get("csrf_token"))
    second_factor.begin_enrolment(service(request), user.user)
    return RedirectResponse("/account/security#second-factor", status_code=303)


@router.post("/account/second-factor/confirm", include_in_schema=False)
async def confirm_second_factor(request: Request) -> Response:
    user = require_user(request, STAFF_ROLES)
    form = await request.form()
    check_csrf(request, form.get("csrf_token"))
    code = str(form.get("code", "")).strip()
    try:
        second_factor.confirm_enrolment(
            service(request), user.user, code, keep_session_sha256=user.session_hash
        )
    except IsotrackInputError as exc:
        problem = exc.problems[0]
        shown = f"“{code}” " if code else ""
        return _page(
            request, user, status_code=422,
            code_error=f"The code {shown}is not accepted: it must be {problem.allowed}.",
        )  # fmt: skip
    return RedirectResponse("/account/security?done=factor", status_code=303)
