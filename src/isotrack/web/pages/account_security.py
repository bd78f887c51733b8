"""My sign-in security, for every role: change my password, see and end my sessions."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from isotrack.domain.errors import IsotrackInputError, RecordNotFound
from isotrack.service import accounts
from isotrack.web.session import WebUser, check_csrf, require_user, service
from isotrack.web.templating import render

router = APIRouter()

ALL_ROLES = ("admin", "prescriber", "designee", "pharmacist", "patient", "auditor")
_FIELD_LABELS = {"current_password": "Current password", "new_password": "New password"}


def _when(epoch_seconds: int) -> str:
    return dt.datetime.fromtimestamp(epoch_seconds, dt.UTC).strftime("%d %b %Y %H:%M UTC")


def _page(
    request: Request,
    user: WebUser,
    errors: dict[str, str] | None = None,
    notice: str | None = None,
    status_code: int = 200,
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
    return render(
        request,
        "account_security.html",
        {"sessions": sessions, "errors": errors or {}, "notice": notice},
        status_code=status_code,
    )


@router.get("/account/security", response_class=HTMLResponse, include_in_schema=False)
def security_page(request: Request, done: str = "") -> Response:
    user = require_user(request, ALL_ROLES)
    notices = {
        "password": "Your password is changed. Your other sessions have ended.",
        "ended": "That session has ended.",
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
