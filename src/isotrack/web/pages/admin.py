"""The admin console: accounts (create, link, deactivate, reset) and every live session.

Admins change; auditors read the accounts list. Every form carries the session's CSRF token;
a refused form is shown again as typed, each problem under its field, and nothing changes.
A new or reset password is shown once, on the page that made it.
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from isotrack.domain.errors import IsotrackInputError, RecordNotFound
from isotrack.service import accounts, admin_console, prescriber_ids, second_factor
from isotrack.service.accounts import Role
from isotrack.web.pages.common import form_values
from isotrack.web.session import WebUser, check_csrf, require_user, service
from isotrack.web.templating import render

router = APIRouter()

ADMIN = ("admin",)
ADMIN_OR_AUDITOR = ("admin", "auditor")
ROLE_LABELS = {
    "admin": "Admin",
    "prescriber": "Prescriber",
    "designee": "Designee (acts for a prescriber)",
    "pharmacist": "Pharmacist",
    "patient": "Patient",
    "auditor": "Auditor",
}
FIELD_LABELS = {
    "username": "User name",
    "display_name": "Full name",
    "role": "Role",
    "password": "Password",
    "prescriber": "Acts for prescriber",
    "patient_id": "Patient record",
    "break_glass_reason": "Reason for linking a patient's record",
    "reason": "Reason for linking a patient's record",
    "user": "Account",
    "programme_id": "Programme prescriber id",
}


def when(epoch_seconds: int) -> str:
    return dt.datetime.fromtimestamp(epoch_seconds, dt.UTC).strftime("%d %b %Y %H:%M UTC")


def field_errors(exc: IsotrackInputError) -> dict[str, str]:
    """Each problem under its field, in words: the field, the value sent, what is allowed."""
    errors: dict[str, str] = {}
    for problem in exc.problems:
        field = {"reason": "break_glass_reason"}.get(problem.field, problem.field)
        label = FIELD_LABELS.get(field, "This field")
        shown = "" if problem.value in (None, "") else f" “{problem.value}”"
        errors[field] = f"{label}{shown} is not accepted: it must be {problem.allowed}."
    return errors


def _accounts_page(
    request: Request,
    user: WebUser,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, object] | None = None,
    notice: str | None = None,
    handed_over: tuple[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    rows = admin_console.accounts_overview(service(request), user.user)
    return render(
        request,
        "admin_accounts.html",
        {
            "section": "accounts",
            "rows": rows,
            "can_change": user.role == "admin",
            "roles": ROLE_LABELS,
            "prescribers": sorted(r.user.username for r in rows
                                  if r.user.role is Role.PRESCRIBER and r.user.active),
            "errors": errors or {},
            "values": values or {"role": "prescriber"},
            "notice": notice,
            "handed_over": handed_over,
        },
        status_code=status_code,
    )  # fmt: skip


@router.get("/admin", include_in_schema=False)
def admin_home(request: Request) -> Response:
    user = require_user(request, ADMIN_OR_AUDITOR)
    return RedirectResponse(
        "/admin/accounts" if user.role == "admin" else "/admin/access-log", status_code=303
    )


@router.get("/admin/accounts", response_class=HTMLResponse, include_in_schema=False)
def accounts_page(request: Request, done: str = "") -> Response:
    user = require_user(request, ADMIN_OR_AUDITOR)
    notices = {
        "deactivated": "The account is deactivated; its sessions have ended.",
        "activated": "The account can sign in again.",
        "linked": "The designee now acts for the new prescriber; their sessions have ended.",
        "programme_id": "The prescriber's programme id is saved.",
        "factor": "The sign-in code is removed; the person signs in with their password and "
        "sets up a new code.",
    }
    return _accounts_page(request, user, notice=notices.get(done))


@router.post("/admin/accounts", include_in_schema=False)
async def create_account(request: Request) -> Response:
    user = require_user(request, ADMIN)
    form = await request.form()
    check_csrf(request, form.get("csrf_token"))
    values = form_values(form)
    text = {k: (v.strip() if isinstance(v, str) else "") for k, v in values.items()}
    role_text = text.get("role", "")
    if role_text not in ROLE_LABELS:
        errors = {"role": f"Role “{role_text}” is not accepted: it must be one of "
                  + ", ".join(ROLE_LABELS.values()) + "."}  # fmt: skip
        return _accounts_page(request, user, errors=errors, values=dict(values), status_code=422)
    role = Role(role_text)
    try:
        created, generated = accounts.create_account(
            service(request),
            user.user,
            username=text.get("username", ""),
            role=role,
            display_name=text.get("display_name") or None,
            prescriber_username=(text.get("prescriber") or None)
            if role is Role.DESIGNEE else None,
            patient_id=(text.get("patient_id") or None) if role is Role.PATIENT else None,
            break_glass_reason=text.get("break_glass_reason") or None,
        )  # fmt: skip
    except IsotrackInputError as exc:
        return _accounts_page(
            request, user, errors=field_errors(exc), values=dict(values), status_code=422
        )
    except RecordNotFound:
        errors = {"patient_id": f"Patient record “{text.get('patient_id')}” is not accepted: "
                  "it must be the record id of a registered patient."}  # fmt: skip
        return _accounts_page(request, user, errors=errors, values=dict(values), status_code=422)
    return _accounts_page(
        request,
        user,
        notice=f"The account {created.username} is created.",
        handed_over=(created.username, generated or ""),
    )


async def _account_action(request: Request, user_id: str) -> WebUser:
    user = require_user(request, ADMIN)
    form = await request.form()
    check_csrf(request, form.get("csrf_token"))
    request.state.admin_form = form
    return user


@router.post("/admin/accounts/{user_id}/deactivate", include_in_schema=False)
async def deactivate(request: Request, user_id: str) -> Response:
    user = await _account_action(request, user_id)
    try:
        accounts.set_account_active(service(request), user.user, user_id, active=False)
    except IsotrackInputError as exc:
        return _accounts_page(request, user, errors=field_errors(exc), status_code=422)
    return RedirectResponse("/admin/accounts?done=deactivated", status_code=303)


@router.post("/admin/accounts/{user_id}/activate", include_in_schema=False)
async def activate(request: Request, user_id: str) -> Response:
    user = await _account_action(request, user_id)
    accounts.set_account_active(service(request), user.user, user_id, active=True)
    return RedirectResponse("/admin/accounts?done=activated", status_code=303)


@router.post("/admin/accounts/{user_id}/reset-password", include_in_schema=False)
async def reset_password(request: Request, user_id: str) -> Response:
    user = await _account_action(request, user_id)
    password = accounts.reset_password(service(request), user.user, user_id)
    name = next(
        (r.user.username for r in admin_console.accounts_overview(service(request), user.user)
         if r.user.id == user_id), "the account")  # fmt: skip
    return _accounts_page(
        request,
        user,
        notice=f"A new password is set for {name}; every session of the account has ended.",
        handed_over=(name, password),
    )


@router.post("/admin/accounts/{user_id}/reset-factor", include_in_schema=False)
async def reset_factor(request: Request, user_id: str) -> Response:
    user = await _account_action(request, user_id)
    second_factor.reset_second_factor(service(request), user.user, user_id)
    return RedirectResponse("/admin/accounts?done=factor", status_code=303)


@router.post("/admin/accounts/{user_id}/link", include_in_schema=False)
async def link_designee(request: Request, user_id: str) -> Response:
    user = await _account_action(request, user_id)
    form = request.state.admin_form
    try:
        admin_console.link_designee(
            service(request), user.user, user_id, str(form.get("prescriber", ""))
        )
    except IsotrackInputError as exc:
        errors = {f"link-{user_id}": " ".join(field_errors(exc).values())}
        return _accounts_page(request, user, errors=errors, status_code=422)
    return RedirectResponse("/admin/accounts?done=linked", status_code=303)


@router.post("/admin/accounts/{user_id}/programme-id", include_in_schema=False)
async def set_programme_id(request: Request, user_id: str) -> Response:
    user = await _account_action(request, user_id)
    typed = str(request.state.admin_form.get("programme_id", ""))
    try:
        prescriber_ids.change_programme_id(service(request), user.user, user_id, typed)
    except IsotrackInputError as exc:
        errors = {f"link-{user_id}": " ".join(field_errors(exc).values())}
        return _accounts_page(request, user, errors=errors, status_code=422)
    return RedirectResponse("/admin/accounts?done=programme_id", status_code=303)


@router.get("/admin/sessions", response_class=HTMLResponse, include_in_schema=False)
def sessions_page(request: Request, done: str = "") -> Response:
    user = require_user(request, ADMIN)
    rows = [
        {
            "id": s.session_id,  # posted back to end it, never shown
            "username": s.username,
            "kind": "browser" if s.kind.value == "browser" else "API token",
            "since": when(s.created_at),
            "until": when(s.expires_at),
            "current": s.session_id == user.session_hash,
        }
        for s in admin_console.live_sessions(service(request), user.user)
    ]
    notice = "The session has ended." if done == "ended" else None
    return render(
        request, "admin_sessions.html", {"section": "sessions", "rows": rows, "notice": notice}
    )


@router.post("/admin/sessions/end", include_in_schema=False)
async def end_session(request: Request) -> Response:
    user = require_user(request, ADMIN)
    form = await request.form()
    check_csrf(request, form.get("csrf_token"))
    try:
        admin_console.end_any_session(service(request), user.user, str(form.get("session", "")))
    except RecordNotFound:
        return RedirectResponse("/admin/sessions", status_code=303)
    return RedirectResponse("/admin/sessions?done=ended", status_code=303)
