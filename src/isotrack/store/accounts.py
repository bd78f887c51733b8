"""What an account holder and an admin do with passwords and sessions.

Hashing happens before the write transaction opens (argon2 is slow on purpose, and SQLite
has one writer). Access rules (who may reset whom) belong to the service layer; these
functions assume the caller has checked them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, select, update

from isotrack.domain.errors import FieldProblem, IsotrackInputError
from isotrack.store.admin_actions import record_action
from isotrack.store.clock import epoch_seconds
from isotrack.store.database import Database
from isotrack.store.seals import seal_user
from isotrack.store.sign_in import _password_matches
from isotrack.store.tables import sessions, users
from isotrack.store.users import (
    MIN_PASSWORD_LENGTH,
    SessionKind,
    generate_password,
    hash_password,
    revoke_user_sessions,
    user_by_id,
)


def _check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise IsotrackInputError(
            [
                FieldProblem(
                    "password change",
                    "new_password",
                    "(hidden)",
                    f"at least {MIN_PASSWORD_LENGTH} characters",
                )
            ],
            "new password too short",
        )


def _replace_hash(
    connection: Connection, user_id: str, old_hash: str | None, new_hash: str
) -> bool:
    condition = [users.c.id == user_id]
    if old_hash is not None:  # nobody changed it between our check and this write
        condition.append(users.c.password_hash == old_hash)
    changed = connection.execute(
        update(users).where(*condition).values(password_hash=new_hash)
    ).rowcount
    if changed:
        seal_user(connection, user_id)
    return bool(changed)


def change_password(
    database: Database,
    user_id: str,
    current_password: str,
    new_password: str,
    *,
    keep_session_sha256: str | None = None,
) -> None:
    """The account holder changes their own password; every other session of theirs ends.

    Raises :class:`IsotrackInputError` naming ``current_password`` when it is wrong and
    ``new_password`` when it is too short.
    """
    _check_new_password(new_password)
    with database.reading() as connection:
        stored = connection.execute(
            select(users.c.password_hash).where(users.c.id == user_id)
        ).scalar_one_or_none()
    if stored is None or not _password_matches(stored, current_password):
        raise IsotrackInputError(
            [FieldProblem("password change", "current_password", "(hidden)", "your password")],
            "current password is wrong",
        )
    new_hash = hash_password(new_password)
    with database.writing() as connection:
        if not _replace_hash(connection, user_id, stored, new_hash):
            raise IsotrackInputError(
                [FieldProblem("password change", "current_password", "(hidden)", "your password")],
                "the password was changed meanwhile",
            )
        condition = [sessions.c.user_id == user_id, sessions.c.revoked_at.is_(None)]
        if keep_session_sha256 is not None:
            condition.append(sessions.c.token_sha256 != keep_session_sha256)
        connection.execute(update(sessions).where(*condition).values(revoked_at=epoch_seconds()))


def reset_password(database: Database, user_id: str, acted_by: str) -> str:
    """An admin sets a new random password (returned once) and ends all the user's sessions;
    the admin action log keeps who did it (never the password)."""
    password = generate_password()
    new_hash = hash_password(password)
    with database.writing() as connection:
        if not _replace_hash(connection, user_id, None, new_hash):
            raise IsotrackInputError(
                [FieldProblem("password reset", "user_id", user_id, "an existing user")],
                "no such user",
            )
        revoke_user_sessions(connection, user_id)
        user = user_by_id(connection, user_id)
        record_action(connection, acted_by, "reset password", user.username if user else user_id)
    return password


@dataclass(frozen=True)
class SessionSummary:
    """One live session as its owner sees it. ``session_id`` is the stored SHA-256 of the
    token (the token itself is never stored, so the id cannot be used to sign in)."""

    session_id: str
    kind: SessionKind
    created_at: int
    expires_at: int


def sessions_of_user(connection: Connection, user_id: str) -> list[SessionSummary]:
    """The user's live sessions (not expired, not revoked), newest first."""
    rows = connection.execute(
        select(
            sessions.c.token_sha256, sessions.c.kind, sessions.c.created_at, sessions.c.expires_at
        )
        .where(
            sessions.c.user_id == user_id,
            sessions.c.revoked_at.is_(None),
            sessions.c.expires_at > epoch_seconds(),
        )
        .order_by(sessions.c.created_at.desc())
    ).all()
    return [
        SessionSummary(
            row.token_sha256, SessionKind(row.kind), int(row.created_at), int(row.expires_at)
        )
        for row in rows
    ]


def revoke_own_session(connection: Connection, user_id: str, session_id: str) -> bool:
    """End one of the user's own sessions; False when it is not theirs or already ended."""
    changed = connection.execute(
        update(sessions)
        .where(
            sessions.c.token_sha256 == session_id,
            sessions.c.user_id == user_id,
            sessions.c.revoked_at.is_(None),
        )
        .values(revoked_at=epoch_seconds())
    ).rowcount
    return bool(changed)


@dataclass(frozen=True)
class LiveSession:
    """A live session of any account, as the admin console lists it."""

    session_id: str
    user_id: str
    username: str
    kind: SessionKind
    created_at: int
    expires_at: int


def live_sessions(connection: Connection, now: int | None = None) -> list[LiveSession]:
    """Every live session of every account (not expired, not revoked), newest first."""
    moment = epoch_seconds() if now is None else now
    rows = connection.execute(
        select(
            sessions.c.token_sha256,
            sessions.c.user_id,
            users.c.username,
            sessions.c.kind,
            sessions.c.created_at,
            sessions.c.expires_at,
        )
        .select_from(sessions.join(users))
        .where(sessions.c.revoked_at.is_(None), sessions.c.expires_at > moment)
        .order_by(sessions.c.created_at.desc(), users.c.username)
    ).all()
    return [
        LiveSession(
            row.token_sha256,
            row.user_id,
            row.username,
            SessionKind(row.kind),
            int(row.created_at),
            int(row.expires_at),
        )
        for row in rows
    ]


def revoke_any_session(connection: Connection, session_id: str) -> bool:
    """End one session of any account (an admin's action); False when none was live."""
    changed = connection.execute(
        update(sessions)
        .where(sessions.c.token_sha256 == session_id, sessions.c.revoked_at.is_(None))
        .values(revoked_at=epoch_seconds())
    ).rowcount
    return bool(changed)


def session_owner(connection: Connection, session_id: str) -> str | None:
    """The user name whose session this is, or None."""
    return connection.execute(
        select(users.c.username)
        .select_from(sessions.join(users, users.c.id == sessions.c.user_id))
        .where(sessions.c.token_sha256 == session_id)
    ).scalar()


def link_designee(connection: Connection, user_id: str, prescriber_user_id: str) -> None:
    """Make a designee act for another prescriber (the caller checked both roles)."""
    connection.execute(
        update(users).where(users.c.id == user_id).values(prescriber_user_id=prescriber_user_id)
    )
    seal_user(connection, user_id)


def revoke_other_sessions(connection: Connection, user_id: str, keep_sha256: str | None) -> None:
    """End every live session of the account except ``keep_sha256`` (the one in use)."""
    condition = [sessions.c.user_id == user_id, sessions.c.revoked_at.is_(None)]
    if keep_sha256 is not None:
        condition.append(sessions.c.token_sha256 != keep_sha256)
    connection.execute(update(sessions).where(*condition).values(revoked_at=epoch_seconds()))
