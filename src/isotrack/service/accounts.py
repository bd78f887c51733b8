"""People and their sessions: signing in and out, the session behind a token, accounts.

The types of a signed-in caller (:class:`User`, :class:`Role`, :class:`SessionKind`,
:class:`ActiveSession`, :class:`IssuedSession`) are the store's; the doors import them from
here.
"""

from __future__ import annotations

from isotrack.domain.errors import RecordNotFound, SignInFailed, SignInThrottled
from isotrack.service.access import Action, require
from isotrack.service.context import Service
from isotrack.store.users import (
    ActiveSession,
    IssuedSession,
    LoginThrottled,
    Role,
    SessionKind,
    User,
    check_password,
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
    "User",
    "create_account",
    "deactivate_account",
    "end_session",
    "generate_password",
    "session_of_token",
    "sign_in",
    "users",
]


def sign_in(
    service: Service, username: str, password: str, kind: SessionKind
) -> tuple[User, IssuedSession]:
    """Check a password and open a session; :class:`SignInFailed` for a wrong pair,
    :class:`SignInThrottled` after too many failures."""
    lifetime = (
        service.settings.session_lifetime_seconds
        if kind is SessionKind.BROWSER
        else service.settings.token_lifetime_seconds
    )
    session: IssuedSession | None = None
    with service.database.writing() as connection:
        try:
            user = check_password(connection, username, password, service.login_limit)
        except LoginThrottled as exc:
            raise SignInThrottled(str(exc), retry_after_seconds=exc.retry_after_seconds) from None
        if user is not None:
            session = issue_session(connection, user, kind, lifetime)
    # Outside the transaction so that the recorded failure is committed, not rolled back.
    if user is None or session is None:
        raise SignInFailed("unknown username or wrong password")
    return user, session


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
    require(admin, Action.MANAGE_USERS)
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
) -> tuple[User, str | None]:
    """Create an account; returns it and the generated password (None when one was given)."""
    require(admin, Action.MANAGE_USERS)
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
    return user, generated


def deactivate_account(service: Service, admin: User, user_id: str) -> User:
    """Disable an account and revoke its sessions; returns the account as it was."""
    require(admin, Action.MANAGE_USERS)
    with service.database.writing() as connection:
        user = user_by_id(connection, user_id)
        if user is None:
            raise RecordNotFound(f"no user {user_id!r}")
        set_user_active(connection, user_id, False)
    return user
