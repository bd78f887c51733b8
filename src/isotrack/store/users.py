"""Users, roles, passwords (argon2id), bearer tokens and browser sessions, login rate limit.

Tokens are random 256-bit strings shown to the client once; the store keeps only their
SHA-256, so a copy of the database cannot be replayed as a login.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from argon2 import Parameters, PasswordHasher, profiles
from sqlalchemy import Connection, bindparam, insert, select, update

from isotrack.domain.errors import FieldProblem, IsotrackInputError
from isotrack.store.clock import epoch_seconds, utc_timestamp
from isotrack.store.seals import seal_user
from isotrack.store.statements import PreparedQuery, Reader, as_bool, as_reader
from isotrack.store.tables import patients, sessions, users

MIN_PASSWORD_LENGTH = 10
PASSWORD_HASH_PROFILE_ENV = "ISOTRACK_PASSWORD_HASH_PROFILE"


def _hasher_from_env() -> PasswordHasher:
    """argon2id with the RFC 9106 low-memory profile (argon2-cffi's default).

    ``ISOTRACK_PASSWORD_HASH_PROFILE=CHEAPEST`` selects argon2-cffi's cheapest profile, for test
    suites only: every stored hash records its own parameters, and a sign-in under the default
    profile rehashes a cheap hash at once.
    """
    profile_name = os.environ.get(PASSWORD_HASH_PROFILE_ENV, "").strip().upper()
    if not profile_name:
        return PasswordHasher()
    profile = getattr(profiles, profile_name, None)
    if not isinstance(profile, Parameters):
        raise ValueError(f"{PASSWORD_HASH_PROFILE_ENV}={profile_name!r} is not an argon2 profile")
    return PasswordHasher.from_parameters(profile)


_hasher = _hasher_from_env()


class Role(StrEnum):
    ADMIN = "admin"
    PRESCRIBER = "prescriber"
    DESIGNEE = "designee"
    PHARMACIST = "pharmacist"
    PATIENT = "patient"
    AUDITOR = "auditor"


class SessionKind(StrEnum):
    BEARER = "bearer"
    BROWSER = "browser"


@dataclass(frozen=True)
class User:
    id: str
    username: str
    display_name: str
    role: Role
    prescriber_user_id: str | None
    patient_id: str | None
    active: bool

    @property
    def care_prescriber_id(self) -> str | None:
        """Whose patients this user looks after: a prescriber's own, a designee's prescriber's."""
        if self.role is Role.PRESCRIBER:
            return self.id
        if self.role is Role.DESIGNEE:
            return self.prescriber_user_id
        return None


_USER_COLUMNS = (
    users.c.id,
    users.c.username,
    users.c.display_name,
    users.c.role,
    users.c.prescriber_user_id,
    users.c.patient_id,
    users.c.active,
)


def _user(row: object) -> User:
    data = row._asdict()  # type: ignore[attr-defined]
    data["role"] = Role(data["role"])
    return User(**data)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def generate_password() -> str:
    """A password for a new account, printed once."""
    return secrets.token_urlsafe(12)


def create_user(
    connection: Connection,
    *,
    username: str,
    password: str,
    role: Role,
    display_name: str | None = None,
    prescriber_username: str | None = None,
    patient_id: str | None = None,
) -> User:
    """Add a user. A designee names its prescriber; a patient user names its patient record."""
    problems: list[FieldProblem] = []
    if (
        not username
        or len(username) > 80
        or not username.replace(".", "").replace("-", "").replace("_", "").isalnum()
    ):
        problems.append(
            FieldProblem("user", "username", username, "1–80 letters, digits, '.', '-' or '_'")
        )
    elif connection.execute(select(users.c.id).where(users.c.username == username)).first():
        problems.append(FieldProblem("user", "username", username, "a name not already taken"))
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(
            FieldProblem(
                "user", "password", "(hidden)", f"at least {MIN_PASSWORD_LENGTH} characters"
            )
        )
    prescriber_id: str | None = None
    if role is Role.DESIGNEE:
        row = connection.execute(
            select(users.c.id, users.c.role).where(users.c.username == (prescriber_username or ""))
        ).first()
        if row is None or row.role != Role.PRESCRIBER:
            problems.append(
                FieldProblem(
                    "user", "prescriber", prescriber_username, "the username of a prescriber"
                )
            )
        else:
            prescriber_id = row.id
    elif prescriber_username is not None:
        problems.append(
            FieldProblem("user", "prescriber", prescriber_username, "only for role designee")
        )
    if role is Role.PATIENT:
        found = connection.execute(
            select(patients.c.id).where(patients.c.id == (patient_id or ""))
        ).first()
        if found is None:
            problems.append(
                FieldProblem("user", "patient_id", patient_id, "the id of a registered patient")
            )
    elif patient_id is not None:
        problems.append(FieldProblem("user", "patient_id", patient_id, "only for role patient"))
    if problems:
        raise IsotrackInputError(problems, "cannot create user")
    user = User(
        id=f"u-{secrets.token_hex(6)}",
        username=username,
        display_name=display_name or username,
        role=role,
        prescriber_user_id=prescriber_id,
        patient_id=patient_id if role is Role.PATIENT else None,
        active=True,
    )
    connection.execute(
        insert(users).values(
            id=user.id,
            username=user.username,
            display_name=user.display_name,
            role=user.role.value,
            password_hash=hash_password(password),
            prescriber_user_id=user.prescriber_user_id,
            patient_id=user.patient_id,
            active=True,
            created_at=utc_timestamp(),
        )
    )
    seal_user(connection, user.id)
    return user


def user_by_username(connection: Connection, username: str) -> User | None:
    row = connection.execute(select(*_USER_COLUMNS).where(users.c.username == username)).first()
    return _user(row) if row else None


def user_by_id(connection: Connection, user_id: str) -> User | None:
    row = connection.execute(select(*_USER_COLUMNS).where(users.c.id == user_id)).first()
    return _user(row) if row else None


def list_users(connection: Connection) -> list[User]:
    rows = connection.execute(select(*_USER_COLUMNS).order_by(users.c.username)).all()
    return [_user(row) for row in rows]


def programme_id_of(connection: Connection, user_id: str) -> str | None:
    """The prescriber's programme id kept on the account, or None."""
    found = connection.execute(select(users.c.programme_id).where(users.c.id == user_id))
    return found.scalar_one_or_none()


def programme_ids(connection: Connection) -> dict[str, str]:
    """Every programme id kept on an account, by user id."""
    found = connection.execute(
        select(users.c.id, users.c.programme_id).where(users.c.programme_id.is_not(None))
    )
    return {row.id: row.programme_id for row in found}


def set_programme_id(connection: Connection, user_id: str, programme_id: str | None) -> None:
    connection.execute(update(users).where(users.c.id == user_id).values(programme_id=programme_id))


def set_user_active(connection: Connection, user_id: str, active: bool) -> None:
    """Deactivate (or reactivate) an account; deactivation also revokes its sessions."""
    connection.execute(update(users).where(users.c.id == user_id).values(active=active))
    seal_user(connection, user_id)
    if not active:
        revoke_user_sessions(connection, user_id)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_hex(16))


def _sha256(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


@dataclass(frozen=True)
class IssuedSession:
    token: str  # shown once; only its hash is stored
    kind: SessionKind
    csrf_token: str | None
    expires_at: int


def issue_session(
    connection: Connection, user: User, kind: SessionKind, lifetime_seconds: int
) -> IssuedSession:
    """A new bearer token or browser session for ``user``."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(24) if kind is SessionKind.BROWSER else None
    now = epoch_seconds()
    connection.execute(
        insert(sessions).values(
            token_sha256=_sha256(token),
            user_id=user.id,
            kind=kind.value,
            csrf_token=csrf,
            created_at=now,
            expires_at=now + lifetime_seconds,
            revoked_at=None,
        )
    )
    return IssuedSession(token, kind, csrf, now + lifetime_seconds)


@dataclass(frozen=True)
class ActiveSession:
    user: User
    kind: SessionKind
    csrf_token: str | None
    expires_at: int
    token_sha256: str


SESSION_QUERY = PreparedQuery(
    select(
        *_USER_COLUMNS,
        sessions.c.kind,
        sessions.c.csrf_token,
        sessions.c.expires_at,
        sessions.c.token_sha256,
    )
    .select_from(sessions.join(users))
    .where(
        sessions.c.token_sha256 == bindparam("token_sha256"),
        sessions.c.revoked_at.is_(None),
        sessions.c.expires_at > bindparam("now"),
        users.c.active.is_(True),
    )
)


def session_for_token(connection: Connection | Reader, token: str) -> ActiveSession | None:
    """The live session a token belongs to: not expired, not revoked, user active."""
    rows = as_reader(connection).rows(
        SESSION_QUERY, token_sha256=_sha256(token), now=epoch_seconds()
    )
    if not rows:
        return None
    row = rows[0]  # the user's columns (_USER_COLUMNS), then the session's
    return ActiveSession(
        user=User(row[0], row[1], row[2], Role(row[3]), row[4], row[5], as_bool(row[6])),
        kind=SessionKind(row[7]),
        csrf_token=row[8],
        expires_at=int(row[9]),
        token_sha256=row[10],
    )


def revoke_session(connection: Connection, token_sha256: str) -> None:
    connection.execute(
        update(sessions)
        .where(sessions.c.token_sha256 == token_sha256, sessions.c.revoked_at.is_(None))
        .values(revoked_at=epoch_seconds())
    )


def revoke_user_sessions(connection: Connection, user_id: str) -> None:
    connection.execute(
        update(sessions)
        .where(sessions.c.user_id == user_id, sessions.c.revoked_at.is_(None))
        .values(revoked_at=epoch_seconds())
    )
