"""The admin console's access log (filter by person, course and days; CSV export), the
clinic's settings (units shown, sign-in codes for admins, the programme settings) beside the
programme's editions as they are in force, and the admin action log.

Admins and auditors read both; only an admin changes a setting.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from isotrack.domain.errors import IsotrackInputError
from isotrack.service import admin_console, clinic_settings, disclosures
from isotrack.web.pages.admin import ADMIN, ADMIN_OR_AUDITOR
from isotrack.web.session import WebUser, check_csrf, require_user, service
from isotrack.web.templating import render

router = APIRouter()

ACTIONS = {"read": "read", "change": "changed", "break-glass": "break-glass (emergency)"}
DOORS = {"web": "clinic pages", "api": "API", "fhir": "FHIR", "cds-hooks": "EHR (CDS Hooks)",
         "audit": "audit", "cli": "command line"}  # fmt: skip
FILTER_LABELS = {"date_from": "From", "date_to": "To (included)"}


@router.get("/admin/access-log", response_class=HTMLResponse, include_in_schema=False)
def access_log_page(
    request: Request,
    user_name: str = "",
    course: str = "",
    date_from: str = "",
    date_to: str = "",
    format: str = "",
) -> Response:
    user = require_user(request, ADMIN_OR_AUDITOR)
    filters = {"user_name": user_name, "course": course, "date_from": date_from,
               "date_to": date_to}  # fmt: skip
    try:
        page = admin_console.review_access_log(
            service(request), user.user, username=user_name, course_id=course,
            date_from=date_from, date_to=date_to,
        )  # fmt: skip
    except IsotrackInputError as exc:
        errors = {
            p.field: f"{FILTER_LABELS.get(p.field, 'This filter')} “{p.value}” is not "
            f"understood: it must be {p.allowed}."
            for p in exc.problems
        }
        return render(
            request, "admin_access_log.html",
            {"section": "access-log", "filters": filters, "errors": errors, "rows": [],
             "more": False, "export_query": ""},
            status_code=422,
        )  # fmt: skip
    if format == "csv":
        text = disclosures.export_access_log(page.entries, "csv")
        return Response(
            text,
            media_type="text/csv",
            headers={"Content-Disposition": 'attachment; filename="access-log.csv"'},
        )
    rows = [
        {
            "at": e.at[:19].replace("T", " ") + " UTC",
            "who": e.username,
            "role": e.role,
            "action": ACTIONS.get(e.action, e.action),
            "door": DOORS.get(e.door, e.door),
            "patient": e.patient_id,
            "course": e.course_id or "—",
            "reason": e.reason or "",
        }
        for e in page.entries
    ]
    query = urlencode({k: v for k, v in filters.items() if v})
    return render(
        request,
        "admin_access_log.html",
        {"section": "access-log", "filters": filters, "errors": {}, "rows": rows,
         "more": page.more, "export_query": query},
    )  # fmt: skip


def _settings_page(
    request: Request,
    user: WebUser,
    *,
    errors: dict[str, str] | None = None,
    typed: dict[str, str] | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    svc = service(request)
    return render(
        request,
        "admin_settings.html",
        {
            "section": "settings",
            "settings": clinic_settings.settings_in_force(svc, user.user),
            "programme": clinic_settings.programme_settings_in_force(svc, user.user),
            "history": clinic_settings.settings_history(svc, user.user, limit=10),
            "editions": clinic_settings.programme_settings(svc, user.user),
            "can_change": user.role == "admin",
            "errors": errors or {},
            "typed": typed or {},
            "notice": notice,
        },
        status_code=status_code,
    )


def _setting_labels(request: Request, user: WebUser) -> dict[str, str]:
    """Each setting's name as the page shows it, for messages and the action log."""
    svc = service(request)
    labels = {s.spec.name: s.spec.label for s in clinic_settings.settings_in_force(svc, user.user)}
    for p in clinic_settings.programme_settings_in_force(svc, user.user):
        labels[p.spec.name] = p.spec.label
    return labels


@router.get("/admin/settings", response_class=HTMLResponse, include_in_schema=False)
def settings_page(request: Request, done: str = "") -> Response:
    user = require_user(request, ADMIN_OR_AUDITOR)
    notice = {
        "saved": "The settings are saved.",
        "programme": "The programme settings are saved and in force: every patient's status "
        "on the today list has been worked out again under them.",
        "same": "Nothing was different.",
    }.get(done)
    return _settings_page(request, user, notice=notice)


@router.post("/admin/settings", include_in_schema=False)
async def change_settings(request: Request) -> Response:
    user = require_user(request, ADMIN)
    form = await request.form()
    check_csrf(request, form.get("csrf_token"))
    values = {k: str(v) for k, v in form.items() if k != "csrf_token"}
    try:
        changed = clinic_settings.change_settings(service(request), user.user, values)
    except IsotrackInputError as exc:
        labels = _setting_labels(request, user)
        errors = {
            p.field: f"{labels.get(p.field, 'This setting')}: “{p.value}” is not accepted; "
            f"it must be {p.allowed}. Nothing was changed."
            for p in exc.problems
        }
        return _settings_page(request, user, errors=errors, typed=values, status_code=422)
    done = "same"
    if changed:
        done = "programme" if any(n.startswith("programme.") for n in changed) else "saved"
    return RedirectResponse(f"/admin/settings?done={done}", status_code=303)


@router.get("/admin/actions", response_class=HTMLResponse, include_in_schema=False)
def actions_page(request: Request) -> Response:
    user = require_user(request, ADMIN_OR_AUDITOR)
    svc = service(request)
    labels = _setting_labels(request, user)
    rows = [
        {
            "at": a.acted_at[:19].replace("T", " ") + " UTC",
            "who": a.acted_by,
            "action": a.action,
            "subject": labels.get(a.subject, a.subject),
            "before": a.before or "",
            "after": a.after or "",
        }
        for a in admin_console.admin_actions(svc, user.user)
    ]
    return render(request, "admin_actions.html", {"section": "actions", "rows": rows})
