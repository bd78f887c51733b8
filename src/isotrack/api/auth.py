"""Who is calling: bearer tokens for API clients, cookie sessions (with CSRF) for browsers."""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from fastapi import Depends, Request, Response

from isotrack.api.dependencies import get_service
from isotrack.api.problems import Problem
from isotrack.service import accounts
from isotrack.service.accounts import IssuedSession, SessionKind, User
from isotrack.service.context import Service

CSRF_HEADER = "X-CSRF-Token"
CSRF_FORM_FIELD = "csrf_token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Principal:
    """The signed-in user of a request and how they signed in."""

    user: User
    kind: SessionKind
    csrf_token: str | None
    token_sha256: str


def _not_signed_in(detail: str) -> Problem:
    return Problem(
        401, "Not signed in", detail, kind="not-signed-in", headers={"WWW-Authenticate": "Bearer"}
    )


def _credential(request: Request, service: Service) -> tuple[str, SessionKind] | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip(), SessionKind.BEARER
    cookie = request.cookies.get(service.settings.cookie_name)
    if cookie:
        return cookie, SessionKind.BROWSER
    return None


def _lookup(service: Service, token: str) -> Principal | None:
    session = accounts.session_of_token(service, token)
    if session is None:
        return None
    return Principal(session.user, session.kind, session.csrf_token, session.token_sha256)


async def optional_principal(
    request: Request, service: Service = Depends(get_service)
) -> Principal | None:
    """The caller, or ``None`` when nobody (or an expired session) is signed in."""
    found = _credential(request, service)
    if found is None:
        return None
    token, presented_as = found
    # One primary-key read on the thread's own connection: cheaper than a thread hand-off.
    principal = _lookup(service, token)
    if principal is None or principal.kind is not presented_as:
        return None
    if principal.kind is SessionKind.BROWSER and request.method not in _SAFE_METHODS:
        await _check_csrf(request, principal)
    return principal


async def current_principal(
    principal: Principal | None = Depends(optional_principal),
) -> Principal:
    """FastAPI dependency: the signed-in caller, or a 401 problem."""
    if principal is None:
        raise _not_signed_in("sign in, or send a valid bearer token; it may have expired")
    return principal


async def _check_csrf(request: Request, principal: Principal) -> None:
    """Cookie-authenticated writes must echo the session's CSRF token (header or form field)."""
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FORM_FIELD)
        sent = value if isinstance(value, str) else None
    expected = principal.csrf_token or ""
    if not sent or not hmac.compare_digest(sent, expected):
        raise Problem(
            403,
            "CSRF check failed",
            f"a browser session must send its CSRF token in the {CSRF_HEADER} header "
            f"or the {CSRF_FORM_FIELD!r} form field",
            kind="csrf",
        )


def sign_in(
    service: Service,
    username: str,
    password: str,
    kind: SessionKind,
    address: str | None,
    *,
    code: str | None = None,
) -> tuple[User, IssuedSession]:
    """Check a password (and the second-factor ``code`` of an account that uses one) and open
    a session (``service.accounts.sign_in``), throttled per account and per client
    ``address``."""
    return accounts.sign_in(service, username, password, kind, address=address, code=code)


def set_session_cookie(service: Service, response: Response, session: IssuedSession) -> None:
    settings = service.settings
    response.set_cookie(
        settings.cookie_name,
        session.token,
        max_age=settings.session_lifetime_seconds,
        httponly=True,
        secure=settings.cookie_secure,
        samesite=settings.cookie_samesite,
        path="/",
    )


def start_browser_session(
    service: Service,
    response: Response,
    username: str,
    password: str,
    address: str | None,
    code: str | None = None,
) -> tuple[User, IssuedSession]:
    """Sign a browser in: checks the password (and the code of an account with a second
    factor), sets the session cookie, returns the session."""
    user, session = sign_in(service, username, password, SessionKind.BROWSER, address, code=code)
    set_session_cookie(service, response, session)
    return user, session


def end_session(service: Service, principal: Principal, response: Response) -> None:
    """Sign out: the token or session is revoked at once and the cookie removed."""
    accounts.end_session(service, principal.token_sha256)
    if principal.kind is SessionKind.BROWSER:
        response.delete_cookie(service.settings.cookie_name, path="/")
