"""People and their sessions: signing in and out, the session behind a token, accounts.

The types of a signed-in caller (:class:`User`, :class:`Role`, :class:`SessionKind`,
:class:`ActiveSession`, :class:`IssuedSession`) are the store's; the doors import them from
here.
"""

from __future__ import annotations

from isotrack.domain.errors import (
    FieldProblem,
    IsotrackInputError,
    RecordNotFound,
    SecondFactorRequired,
    SignInFailed,
    SignInThrottled,
)
from isotrack.service import second_factor
from isotrack.service.access import Action, require
from isotrack.service.clinic_settings import require_ready_admin
from isotrack.service.context import Service
from isotrack.service.disclosures import break_glass
from isotrack.service.second_factor import throttle_policy
from isotrack.store import accounts as store_accounts
from isotrack.store import sign_in as store_sign_in
from isotrack.store.accounts import SessionSummary
from isotrack.store.admin_actions import record_action
from isotrack.store.users import (
    ActiveSession,
    IssuedSession,
    Role,
    SessionKind,
    User,
    create_user,
    generate_password,
    issue_session,
    list_users,
    revoke_session,
    set_user_active,
    user_by_id,
)

__all__ = [
    "ActiveSession",
    "IssuedSession",
    "Role",
    "SessionKind",
    "SessionSummary",
    "User",
    "change_password",
    "complete_sign_in",
    "create_account",
    "deactivate_account",
    "end_session",
    "generate_password",
    "my_sessions",
    "reset_password",
    "revoke_my_session",
    "session_of_token",
    "set_account_active",
    "sign_in",
    "throttle_policy",
    "users",
]


def manage(service: Service, admin: User) -> None:
    """The check before every account change: the role may manage accounts, and an admin
    whom the clinic requires to use a second factor has one on."""
    require(admin, Action.MANAGE_USERS)
    require_ready_admin(service, admin)


def sign_in(
    service: Service,
    username: str,
    password: str,
    kind: SessionKind,
    *,
    address: str | None = None,
    code: str | None = None,
) -> tuple[User, IssuedSession]:
    """Check a password and open a session; :class:`SignInFailed` for a wrong pair,
    :class:`SignInThrottled` (with its ``Retry-After``) while the account or the client
    ``address`` must wait after repeated failures. The owner is slowed, never locked out:
    the right password after the wait succeeds (``store.sign_in``).

    An account with a second factor also needs ``code``, the current code of its
    authenticator app; without one, :class:`SecondFactorRequired` carries a challenge with
    which :func:`complete_sign_in` goes on (a browser's second step)."""
    try:
        user = store_sign_in.sign_in(
            service.database, username, password, address=address, policy=throttle_policy(service)
        )
    except store_sign_in.SignInThrottled as exc:
        raise SignInThrottled(str(exc), retry_after_seconds=exc.retry_after_seconds) from None
    if user is None:
        raise SignInFailed("unknown username or wrong password")
    if second_factor.uses_second_factor(service, user):
        if not code:
            raise SecondFactorRequired(
                "a code from the authenticator app is needed",
                challenge=second_factor.issue_challenge(service, user),
            )
        second_factor.check_code(service, user, code)
    return user, _open_session(service, user, kind)


def complete_sign_in(
    service: Service, challenge: str, code: str, kind: SessionKind
) -> tuple[User, IssuedSession]:
    """The second step of a sign-in whose password was right: the code of the account the
    challenge names opens the session; :class:`SignInFailed` for a wrong, reused or late one."""
    user = second_factor.user_of_challenge(service, challenge)
    second_factor.check_code(service, user, code)
    return user, _open_session(service, user, kind)


def _open_session(service: Service, user: User, kind: SessionKind) -> IssuedSession:
    lifetime = (
        service.settings.session_lifetime_seconds
        if kind is SessionKind.BROWSER
        else service.settings.token_lifetime_seconds
    )
    with service.database.writing() as connection:
        return issue_session(connection, user, kind, lifetime)


def change_password(
    service: Service,
    user: User,
    current_password: str,
    new_password: str,
    *,
    keep_session_sha256: str | None = None,
) -> None:
    """The signed-in user changes their own password; their other sessions end.
    :class:`IsotrackInputError` names ``current_password`` or ``new_password``."""
    store_accounts.change_password(
        service.database,
        user.id,
        current_password,
        new_password,
        keep_session_sha256=keep_session_sha256,
    )


def reset_password(service: Service, admin: User, user_id: str) -> str:
    """An admin gives an account a new random password (returned once, to hand over in
    person); every session of the account ends."""
    manage(service, admin)
    with service.database.reading() as connection:
        if user_by_id(connection, user_id) is None:
            raise RecordNotFound(f"no user {user_id!r}")
    return store_accounts.reset_password(service.database, user_id, admin.username)


def my_sessions(service: Service, user: User) -> list[SessionSummary]:
    """The caller's own live sessions, newest first."""
    with service.database.reading() as connection:
        return store_accounts.sessions_of_user(connection, user.id)


def revoke_my_session(service: Service, user: User, session_id: str) -> None:
    """End one of the caller's own sessions; :class:`RecordNotFound` for any other id."""
    with service.database.writing() as connection:
        ended = store_accounts.revoke_own_session(connection, user.id, session_id)
    if not ended:
        raise RecordNotFound("no live session of yours with this id")


def session_of_token(
    service: Service, token: str, *, on_event_loop: bool = True
) -> ActiveSession | None:
    """The live session a token opens, or None. On the event loop: one primary-key read on
    the loop thread's own connection, cheaper than a thread hand-off; from a worker thread
    (``on_event_loop=False``) on a pooled connection."""
    if on_event_loop:
        return service.reads.session(token)
    return service.reads.session_pooled(token)


def end_session(service: Service, token_sha256: str) -> None:
    """Sign out: the token or session is revoked at once."""
    with service.database.writing() as connection:
        revoke_session(connection, token_sha256)


def users(service: Service, admin: User) -> list[User]:
    manage(service, admin)
    with service.database.reading() as connection:
        return list_users(connection)


def create_account(
    service: Service,
    admin: User,
    *,
    username: str,
    role: Role,
    password: str | None = None,
    display_name: str | None = None,
    prescriber_username: str | None = None,
    patient_id: str | None = None,
    break_glass_reason: str | None = None,
) -> tuple[User, str | None]:
    """Create an account; returns it and the generated password (None when one was given).

    An account linked to a patient's record opens that record: an admin may create one only
    through break-glass (``break_glass_reason``, logged in the access log); the clinic
    creates patients' sign-ins when it enrols them.
    """
    manage(service, admin)
    if patient_id is not None:
        if not break_glass_reason:
            raise IsotrackInputError(
                [
                    FieldProblem(
                        "body",
                        "break_glass_reason",
                        None,
                        "why this admin links an account to a patient's record (logged); "
                        "or let the prescriber create the sign-in at enrolment",
                    )
                ],
                "a patient account needs break-glass",
            )
        break_glass(service, admin, patient_id, break_glass_reason)
    generated = None if password else generate_password()
    with service.database.writing() as connection:
        user = create_user(
            connection,
            username=username,
            password=password or generated or "",
            role=role,
            display_name=display_name,
            prescriber_username=prescriber_username,
            patient_id=patient_id,
        )
        record_action(connection, admin.username, "created account", user.username,
                      after=f"role {user.role.value}")  # fmt: skip
    return user, generated


def deactivate_account(service: Service, admin: User, user_id: str) -> User:
    """Disable an account and revoke its sessions; returns the account as it was. An admin
    cannot disable their own account (the clinic would risk losing its last admin)."""
    return set_account_active(service, admin, user_id, active=False)


def set_account_active(service: Service, admin: User, user_id: str, *, active: bool) -> User:
    """Disable (sessions end at once) or enable again an account; returns it as it was."""
    manage(service, admin)
    if user_id == admin.id and not active:
        raise IsotrackInputError(
            [FieldProblem("account", "user", admin.username,
                          "another account than your own; ask another admin")],
            "you cannot deactivate your own account",
        )  # fmt: skip
    with service.database.writing() as connection:
        user = user_by_id(connection, user_id)
        if user is None:
            raise RecordNotFound(f"no user {user_id!r}")
        set_user_active(connection, user_id, active)
        record_action(connection, admin.username,
                      "activated account" if active else "deactivated account", user.username,
                      before="active" if user.active else "inactive",
                      after="active" if active else "inactive")  # fmt: skip
    return user
