"""Sign-in with throttling per account and per address, and no password hashing under a lock.

Every attempt is counted *before* its password is checked, in one short write transaction
(an ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` per scope, so simultaneous attempts on
PostgreSQL or SQLite each see their own exact count). Once a scope has had ``free_failures``
failures, each further attempt must wait a delay that doubles per failure up to
``max_delay_seconds``; an attempt inside the delay is refused with the seconds to wait
(``Retry-After``) and is neither checked nor counted. After the delay, the right password
succeeds and clears the account's count: an attacker slows the owner down but never locks
them out. The argon2 check runs between transactions, so a flood of wrong passwords never
holds SQLite's write lock while hashing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Connection, case, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from isotrack.store.clock import epoch_seconds
from isotrack.store.database import Database
from isotrack.store.seals import seal_user
from isotrack.store.tables import sign_in_throttle, users
from isotrack.store.users import _USER_COLUMNS, Role, User, _dummy_hash, _hasher


@dataclass(frozen=True)
class ThrottlePolicy:
    """How quickly repeated failures slow down (security settings, not clinical facts)."""

    account_free_failures: int = 5
    address_free_failures: int = 20
    first_delay_seconds: int = 1
    max_delay_seconds: int = 900
    forget_after_seconds: int = 24 * 3600

    def delay_after(self, failures: int, free_failures: int) -> int:
        if failures < free_failures:
            return 0
        doublings = min(failures - free_failures, 30)
        return min(self.max_delay_seconds, self.first_delay_seconds << doublings)


class SignInThrottled(Exception):
    """Too many recent failures for this account or address: answer 429 with Retry-After."""

    def __init__(self, retry_after_seconds: int) -> None:
        self.retry_after_seconds = retry_after_seconds
        super().__init__(f"too many failed sign-ins; try again in {retry_after_seconds} s")


def account_scope(username: str) -> str:
    return f"account:{username.strip().lower()}"


def address_scope(address: str) -> str:
    return f"address:{address}"


def _count_attempt(connection: Connection, scope: str, now: int, forget_before: int) -> int | None:
    """Count one attempt; its new failure count, or None when the scope is still waiting."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    table = sign_in_throttle
    stale = table.c.last_failure_at < forget_before
    statement = (
        dialect.insert(table)
        .values(scope=scope, failures=1, blocked_until=0, last_failure_at=now)
        .on_conflict_do_update(
            index_elements=[table.c.scope],
            set_={
                "failures": case((stale, 1), else_=table.c.failures + 1),
                "last_failure_at": now,
            },
            where=table.c.blocked_until <= now,
        )
        .returning(table.c.failures)
    )
    return connection.execute(statement).scalar_one_or_none()


def _wait_seconds(connection: Connection, scopes: list[str], now: int) -> int:
    until = connection.execute(
        select(sign_in_throttle.c.blocked_until).where(sign_in_throttle.c.scope.in_(scopes))
    ).scalars()
    return max(1, max((int(u) for u in until), default=now + 1) - now)


def _reserve(
    database: Database, scopes: list[tuple[str, int]], policy: ThrottlePolicy, now: int
) -> None:
    """Count this attempt in every scope, or raise SignInThrottled and count nothing."""
    with database.writing() as connection:
        for scope, free in scopes:
            failures = _count_attempt(connection, scope, now, now - policy.forget_after_seconds)
            if failures is None:
                # Raising rolls back the counts already made in the other scopes.
                raise SignInThrottled(_wait_seconds(connection, [s for s, _ in scopes], now))
            delay = policy.delay_after(failures, free)
            connection.execute(
                update(sign_in_throttle)
                .where(sign_in_throttle.c.scope == scope)
                .values(blocked_until=now + delay)
            )


def _password_matches(stored_hash: str | None, password: str) -> bool:
    try:
        if stored_hash is None:
            # Spend the same time as a real check so that unknown names are not revealed.
            _hasher.verify(_dummy_hash(), password + "x")
            return False
        return bool(_hasher.verify(stored_hash, password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def sign_in(
    database: Database,
    username: str,
    password: str,
    *,
    address: str | None,
    policy: ThrottlePolicy | None = None,
    clock: Callable[[], int] = epoch_seconds,
) -> User | None:
    """The active user whose password this is, or ``None``; raises :class:`SignInThrottled`.

    Opens its own short transactions (call it outside any transaction). ``address`` is the
    client's IP address as the server sees it (``None``: count per account only). ``clock``
    gives the current epoch second; delays are measured on it.
    """
    policy = policy or ThrottlePolicy()
    scopes = [(account_scope(username), policy.account_free_failures)]
    if address:
        scopes.append((address_scope(address), policy.address_free_failures))
    _reserve(database, scopes, policy, clock())
    with database.reading() as connection:
        row = connection.execute(
            select(*_USER_COLUMNS, users.c.password_hash).where(users.c.username == username)
        ).first()
    stored_hash = row.password_hash if row is not None else None
    if not _password_matches(stored_hash, password) or row is None or not row.active:
        return None
    assert stored_hash is not None
    data = row._asdict()
    data.pop("password_hash")
    data["role"] = Role(data["role"])
    user = User(**data)
    new_hash = _hasher.hash(password) if _hasher.check_needs_rehash(stored_hash) else None
    with database.writing() as connection:
        connection.execute(
            delete(sign_in_throttle).where(sign_in_throttle.c.scope == account_scope(username))
        )
        if address:  # a good sign-in from an address does not count against it
            connection.execute(
                update(sign_in_throttle)
                .where(
                    sign_in_throttle.c.scope == address_scope(address),
                    sign_in_throttle.c.failures > 0,
                )
                .values(failures=sign_in_throttle.c.failures - 1)
            )
        if new_hash is not None:
            changed = connection.execute(
                update(users)
                .where(users.c.id == user.id, users.c.password_hash == stored_hash)
                .values(password_hash=new_hash)
            ).rowcount
            if changed:
                seal_user(connection, user.id)
    return user


def failures_counted(connection: Connection, scope: str) -> int:
    """The failure count a scope holds now (0 when it has none)."""
    value = connection.execute(
        select(sign_in_throttle.c.failures).where(sign_in_throttle.c.scope == scope)
    ).scalar_one_or_none()
    return int(value or 0)


def code_scope(user_id: str) -> str:
    return f"code:{user_id}"


def reserve_code_attempt(
    database: Database, user_id: str, policy: ThrottlePolicy, now: int
) -> None:
    """Count one second-factor code attempt for the account, or raise
    :class:`SignInThrottled` while it must wait (the same growing delays as for passwords)."""
    _reserve(database, [(code_scope(user_id), policy.account_free_failures)], policy, now)


def clear_code_attempts(database: Database, user_id: str) -> None:
    with database.writing() as connection:
        connection.execute(
            delete(sign_in_throttle).where(sign_in_throttle.c.scope == code_scope(user_id))
        )
