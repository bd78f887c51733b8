"""Browser sign-in for the pages: session cookie, CSRF token, role checks, graceful expiry.

Sessions are the service's browser sessions (``service.accounts.sign_in``); the cookie holds the
token, the store holds only its hash. Every POST from a page carries the session's CSRF token.
When a session has ended the user is sent to sign in again and then back to the page they were on.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from fastapi import Request

from isotrack.service.accounts import ActiveSession, Role, SessionKind, User, session_of_token
from isotrack.service.context import Service


@dataclass(frozen=True)
class WebUser:
    """The signed-in person as the pages need them."""

    id: str
    username: str
    name: str
    role: str
    patient_id: str | None
    care_prescriber_id: str | None
    session_hash: str
    user: User
    csrf_token: str | None

    @classmethod
    def from_session(cls, session: ActiveSession) -> WebUser:
        user: User = session.user
        return cls(
            id=user.id,
            username=user.username,
            name=user.display_name,
            role=user.role.value,
            patient_id=user.patient_id,
            care_prescriber_id=user.care_prescriber_id,
            session_hash=session.token_sha256,
            user=user,
            csrf_token=session.csrf_token,
        )


class SignInRequired(Exception):
    """No live session: ``expired`` when a cookie was sent but its session has ended."""

    def __init__(self, next_path: str, expired: bool, wants_fragment: bool) -> None:
        self.next_path = next_path
        self.expired = expired
        self.wants_fragment = wants_fragment
        super().__init__(next_path)


class NotAllowed(Exception):
    """The signed-in user's role may not use this page."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class CsrfRejected(Exception):
    """A POST without the session's CSRF token (a stale page or a forged request)."""


def service(request: Request) -> Service:
    """The service the pages run in (its use cases, knowledge, settings, the clinic's date)."""
    found = request.app.state.service
    assert isinstance(found, Service)
    return found


def app_setting(request: Request, name: str, default: Any) -> Any:
    return getattr(service(request).settings, name, default)


def cookie_name(request: Request) -> str:
    return str(app_setting(request, "cookie_name", "isotrack_session"))


def home_path(role: str) -> str:
    return {
        Role.PRESCRIBER.value: "/today",
        Role.DESIGNEE.value: "/today",
        Role.PHARMACIST.value: "/dispense",
        Role.PATIENT.value: "/me",
        Role.AUDITOR.value: "/audit",
        Role.ADMIN.value: "/admin",
    }.get(role, "/account")


def sign_in_url(next_path: str, expired: bool) -> str:
    url = f"/signin?next={quote(next_path, safe='/')}"
    return url + ("&expired=1" if expired else "")


def _current_path(request: Request) -> str:
    path = request.url.path
    if request.method == "GET" and request.url.query:
        path += "?" + request.url.query
    return path


def optional_user(request: Request) -> WebUser | None:
    """The signed-in user, or None; records the user and CSRF token for the templates."""
    token = request.cookies.get(cookie_name(request))
    if not token:
        return None
    # Pooled, not the event loop's own connection: most pages run on worker threads.
    session = session_of_token(service(request), token, on_event_loop=False)
    # Only a browser session opens pages: a bearer token copied into the cookie does not
    # (it has no CSRF token, and an API client never needs the pages).
    if session is None or session.kind is not SessionKind.BROWSER:
        request.state.session_ended = True
        return None
    user = WebUser.from_session(session)
    request.state.web_user = user
    request.state.csrf_token = session.csrf_token or ""
    return user


def require_user(request: Request, roles: Iterable[str]) -> WebUser:
    """The signed-in user if their role is one of ``roles``; otherwise sign-in or a refusal."""
    user = optional_user(request)
    if user is None:
        raise SignInRequired(
            _current_path(request),
            expired=bool(getattr(request.state, "session_ended", False)),
            wants_fragment=request.headers.get("x-requested-with") == "fetch",
        )
    allowed = set(roles)
    if user.role not in allowed:
        raise NotAllowed(
            f"This page is for {', '.join(sorted(allowed))}; you are signed in as {user.role}."
        )
    return user


def check_csrf(request: Request, submitted: object) -> None:
    expected = getattr(request.state, "csrf_token", "")
    if not expected or not isinstance(submitted, str):
        raise CsrfRejected()
    if not hmac.compare_digest(expected.encode(), submitted.encode()):
        raise CsrfRejected()
