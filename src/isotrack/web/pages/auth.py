"""Sign-in and sign-out for every role, and the start page that sends each role home."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from isotrack.domain.errors import SecondFactorRequired, SignInFailed, SignInThrottled
from isotrack.service import accounts
from isotrack.service.accounts import IssuedSession, SessionKind
from isotrack.web.session import (
    app_setting,
    check_csrf,
    cookie_name,
    home_path,
    optional_user,
    require_user,
    service,
    sign_in_url,
)
from isotrack.web.templating import render

router = APIRouter()

ALL_ROLES = ("admin", "prescriber", "designee", "pharmacist", "patient", "auditor")


def _wait_text(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    return f"{(seconds + 59) // 60} minutes"


def _safe_next(next_path: str) -> str:
    # Only paths on this site: never an absolute URL an attacker could plant.
    if next_path.startswith("/") and not next_path.startswith("//") and "\\" not in next_path:
        return next_path
    return ""


@router.get("/", include_in_schema=False)
def start(request: Request) -> Response:
    user = optional_user(request)
    if user is None:
        return RedirectResponse("/signin", status_code=303)
    return RedirectResponse(home_path(user.role), status_code=303)


@router.get("/signin", response_class=HTMLResponse, include_in_schema=False)
def signin_page(
    request: Request, next: str = "", expired: int = 0, signed_out: int = 0
) -> Response:
    user = optional_user(request)
    if user is not None and not expired:
        return RedirectResponse(_safe_next(next) or home_path(user.role), status_code=303)
    return render(
        request,
        "signin.html",
        {
            "next_path": _safe_next(next),
            "expired": bool(expired),
            "signed_out": bool(signed_out),
            "error": None,
            "username": "",
        },
    )


@router.post("/signin", include_in_schema=False)
async def signin(request: Request) -> Response:
    form = await request.form()
    username = str(form.get("username", "")).strip()
    password = str(form.get("password", ""))
    next_path = _safe_next(str(form.get("next", "")))
    try:
        address = request.client.host if request.client else None
        user, session = accounts.sign_in(
            service(request), username, password, SessionKind.BROWSER, address=address
        )
    except SecondFactorRequired as needed:
        return render(
            request,
            "signin_code.html",
            {"next_path": next_path, "challenge": needed.challenge, "error": None},
        )
    except (SignInThrottled, SignInFailed) as exc:
        error = "The user name or the password is not right."
        headers: dict[str, str] = {}
        status = 401
        if isinstance(exc, SignInThrottled):
            error = (
                "Too many failed sign-in attempts. Please wait "
                f"{_wait_text(exc.retry_after_seconds)} and try again; "
                "the right password will work then."
            )
            headers["Retry-After"] = str(exc.retry_after_seconds)
            status = 429
        page = render(
            request,
            "signin.html",
            {
                "next_path": next_path,
                "expired": False,
                "signed_out": False,
                "error": error,
                "username": username,
            },
            status_code=status,
        )
        page.headers.update(headers)
        return page
    return _signed_in(request, next_path or home_path(user.role.value), session)


def _signed_in(request: Request, to: str, session: IssuedSession) -> Response:
    """Send the browser on with its new session cookie."""
    lifetime = int(app_setting(request, "session_lifetime_seconds", 8 * 3600))
    response = RedirectResponse(to, status_code=303)
    response.set_cookie(
        cookie_name(request),
        session.token,
        max_age=lifetime,
        httponly=True,
        samesite=str(app_setting(request, "cookie_samesite", "lax")),  # type: ignore[arg-type]
        secure=bool(app_setting(request, "cookie_secure", False)),
        path="/",
    )
    return response


@router.post("/signin/code", include_in_schema=False)
async def signin_code(request: Request) -> Response:
    """The second step for an account with a sign-in code: the password was right."""
    form = await request.form()
    challenge = str(form.get("challenge", ""))
    code = str(form.get("code", "")).strip()
    next_path = _safe_next(str(form.get("next", "")))
    try:
        user, session = accounts.complete_sign_in(
            service(request), challenge, code, SessionKind.BROWSER
        )
    except (SignInThrottled, SignInFailed) as exc:
        if isinstance(exc, SignInThrottled):
            error = (
                f"Too many wrong codes. Please wait {_wait_text(exc.retry_after_seconds)} "
                "and try again with the code your app shows then."
            )
        elif "took too long" in exc.summary or "not started here" in exc.summary:
            return RedirectResponse(sign_in_url(next_path, expired=True), status_code=303)
        else:
            error = (
                "That code is not right, or was already used. Enter the 6-digit code your "
                "app shows now."
            )
        page = render(
            request,
            "signin_code.html",
            {"next_path": next_path, "challenge": challenge, "error": error},
            status_code=429 if isinstance(exc, SignInThrottled) else 401,
        )
        if isinstance(exc, SignInThrottled):
            page.headers["Retry-After"] = str(exc.retry_after_seconds)
        return page
    return _signed_in(request, next_path or home_path(user.role.value), session)


@router.post("/signout", include_in_schema=False)
async def signout(request: Request) -> Response:
    form = await request.form()
    user = optional_user(request)
    if user is not None:
        check_csrf(request, form.get("csrf_token"))
        accounts.end_session(service(request), user.session_hash)
    response = RedirectResponse("/signin?signed_out=1", status_code=303)
    response.delete_cookie(cookie_name(request), path="/")
    return response


@router.get("/account", response_class=HTMLResponse, include_in_schema=False)
def account(request: Request) -> Response:
    """Where a role without a start page of its own would land: its pages are in the menu."""
    user = require_user(request, ALL_ROLES)
    return RedirectResponse(home_path(user.role), status_code=303)
