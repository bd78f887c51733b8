"""Staff second factor: time-based one-time codes (TOTP, RFC 6238) from an authenticator app.

A staff member enrols from their sign-in security page: isotrack makes a secret, shows it (as
text, as an ``otpauth://`` address and as a QR code) and keeps it unconfirmed until a first
code from the app proves the app holds it. From then on a sign-in needs the password and a
current code. Codes are 6 digits over 30-second steps (pyotp's defaults, the RFC's SHA-1),
accepted one step early or late for clock drift, each step at most once. Losing the phone is
recovered by an admin, who removes the factor (the account then signs in with its password
and enrols again); patients do not use a second factor.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass
from enum import StrEnum

import pyotp
import segno

from isotrack.domain.errors import (
    ActionNotAllowed,
    FieldProblem,
    IsotrackInputError,
    RecordNotFound,
    SignInFailed,
    SignInThrottled,
)
from isotrack.service.access import Action, require
from isotrack.service.context import Service
from isotrack.store import second_factors as store_factors
from isotrack.store import sign_in as store_sign_in
from isotrack.store.accounts import revoke_other_sessions
from isotrack.store.admin_actions import record_action
from isotrack.store.users import Role, User, revoke_user_sessions, user_by_id

ISSUER = "isotrack"
DRIFT_STEPS = 1  # a code one step (30 s) early or late still counts
CHALLENGE_SECONDS = 300  # between the right password and the code


class FactorState(StrEnum):
    NONE = "none"
    PENDING = "pending"  # enrolment begun, no code confirmed yet
    ON = "on"


@dataclass(frozen=True)
class Enrolment:
    """What the person copies into their app: the secret, its address, a QR code (SVG)."""

    secret: str
    otpauth_uri: str
    qr_svg: str


def throttle_policy(service: Service) -> store_sign_in.ThrottlePolicy:
    """The sign-in throttle of the settings: free failures per account, the longest wait
    (passwords and codes alike)."""
    return store_sign_in.ThrottlePolicy(
        account_free_failures=service.settings.login_max_failures,
        first_delay_seconds=service.settings.login_first_delay_seconds,
        max_delay_seconds=service.settings.login_window_seconds,
    )


def _staff_only(user: User) -> None:
    if user.role is Role.PATIENT:
        raise ActionNotAllowed("a second factor is for staff accounts")


def state_of(service: Service, user: User) -> FactorState:
    with service.database.reading() as connection:
        factor = store_factors.second_factor_of(connection, user.id)
    if factor is None:
        return FactorState.NONE
    return FactorState.ON if factor.confirmed else FactorState.PENDING


def _enrolment(user: User, secret: str) -> Enrolment:
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=ISSUER)
    qr = segno.make(uri, error="m").svg_inline(
        scale=4, dark="#1b1b1b", light="#ffffff", title="QR code to scan with the app"
    )
    return Enrolment(secret, uri, qr)


def begin_enrolment(service: Service, user: User) -> Enrolment:
    """A new secret for the caller's app, kept unconfirmed (replaces an unconfirmed one);
    :class:`ActionNotAllowed` for a patient or when a factor is already on."""
    _staff_only(user)
    secret = pyotp.random_base32()
    with service.database.writing() as connection:
        found = store_factors.second_factor_of(connection, user.id)
        if found is not None and found.confirmed:
            raise ActionNotAllowed("a second factor is already set up; ask an admin to reset it")
        store_factors.begin_enrolment(connection, user.id, secret)
    return _enrolment(user, secret)


def pending_enrolment(service: Service, user: User) -> Enrolment | None:
    """The unconfirmed enrolment of the caller, shown again until confirmed."""
    with service.database.reading() as connection:
        factor = store_factors.second_factor_of(connection, user.id)
    if factor is None or factor.confirmed:
        return None
    return _enrolment(user, factor.secret)


def _matching_step(secret: str, code: str, at: float) -> int | None:
    """The time step whose code this is (within the drift allowance), or None."""
    digits = code.replace(" ", "").strip()
    if len(digits) != 6 or not digits.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    step = totp.timecode(_utc(at))
    for candidate in range(step - DRIFT_STEPS, step + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(candidate), digits):
            return candidate
    return None


def _utc(at: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(at, dt.UTC)


def _code_problem(code: str) -> IsotrackInputError:
    return IsotrackInputError(
        [
            FieldProblem(
                "second factor",
                "code",
                code,
                "the 6-digit code your authenticator app shows now, used once",
            )
        ],
        "the code is not right",
    )


def confirm_enrolment(
    service: Service, user: User, code: str, *, keep_session_sha256: str | None = None
) -> None:
    """Turn the factor on with a first code from the app; every other session of the
    account ends (they were opened without the factor)."""
    _staff_only(user)
    at = service.now()
    with service.database.reading() as connection:
        factor = store_factors.second_factor_of(connection, user.id)
    if factor is None or factor.confirmed:
        raise IsotrackInputError(
            [FieldProblem("second factor", "code", code, "first start the set-up on this page")],
            "no set-up is waiting for a code",
        )
    step = _matching_step(factor.secret, code, at)
    if step is None:
        raise _code_problem(code)
    with service.database.writing() as connection:
        if not store_factors.accept_step(connection, user.id, step, confirm=True):
            raise _code_problem(code)
        revoke_other_sessions(connection, user.id, keep_session_sha256)


def check_code(service: Service, user: User, code: str) -> None:
    """Accept a sign-in code of this account once, or raise :class:`SignInFailed`
    (:class:`SignInThrottled` after repeated wrong codes)."""
    at = service.now()
    try:
        store_sign_in.reserve_code_attempt(
            service.database, user.id, throttle_policy(service), int(at)
        )
    except store_sign_in.SignInThrottled as exc:
        raise SignInThrottled(str(exc), retry_after_seconds=exc.retry_after_seconds) from None
    with service.database.reading() as connection:
        factor = store_factors.second_factor_of(connection, user.id)
    step = None if factor is None else _matching_step(factor.secret, code, at)
    if factor is None or step is None:
        raise SignInFailed("the code is not right")
    with service.database.writing() as connection:
        if not store_factors.accept_step(connection, user.id, step, confirm=False):
            raise SignInFailed("this code was already used; wait for the next one")
    store_sign_in.clear_code_attempts(service.database, user.id)


def uses_second_factor(service: Service, user: User) -> bool:
    return user.role is not Role.PATIENT and state_of(service, user) is FactorState.ON


def reset_second_factor(service: Service, admin: User, user_id: str) -> User:
    """An admin's recovery for a lost phone: the account's factor is removed and its sessions
    end; it signs in with its password and enrols again."""
    require(admin, Action.MANAGE_USERS)
    with service.database.writing() as connection:
        user = user_by_id(connection, user_id)
        if user is None:
            raise RecordNotFound(f"no user {user_id!r}")
        store_factors.remove_second_factor(connection, user_id)
        revoke_user_sessions(connection, user_id)
        record_action(connection, admin.username, "removed sign-in code", user.username)
    return user


# A signed, short-lived note that the password of ``user_id`` was right, carried from the
# password step to the code step of a browser sign-in (nothing is stored in between).


def _mac(service: Service, payload: str) -> str:
    key = service.settings.secret_key.encode()
    digest = hmac.new(key, b"isotrack.second-factor/1:" + payload.encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).decode().rstrip("=")


def issue_challenge(service: Service, user: User) -> str:
    payload = f"{user.id}.{int(service.now()) + CHALLENGE_SECONDS}"
    return f"{payload}.{_mac(service, payload)}"


def user_of_challenge(service: Service, challenge: str) -> User:
    """The account a live, untampered challenge names; :class:`SignInFailed` otherwise."""
    user_id, _, rest = challenge.partition(".")
    expires, _, mac = rest.partition(".")
    payload = f"{user_id}.{expires}"
    if not (expires.isdigit() and hmac.compare_digest(_mac(service, payload), mac)):
        raise SignInFailed("the sign-in was not started here; enter the password again")
    if int(expires) < service.now():
        raise SignInFailed("the sign-in took too long; enter the password again")
    with service.database.reading() as connection:
        user = user_by_id(connection, user_id)
    if user is None or not user.active:
        raise SignInFailed("unknown username or wrong password")
    return user


__all__ = [
    "Enrolment",
    "FactorState",
    "begin_enrolment",
    "check_code",
    "confirm_enrolment",
    "issue_challenge",
    "pending_enrolment",
    "reset_second_factor",
    "state_of",
    "user_of_challenge",
    "uses_second_factor",
]
