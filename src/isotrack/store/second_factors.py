"""Staff second factors: the TOTP secret of an account, its confirmation and its last used step.

The codes themselves are computed and checked in the service layer (``pyotp``); the store
keeps the secret, whether it was confirmed with a first code, and the newest time step
accepted, so that a code seen once (over a shoulder, in a log) cannot be used again.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, delete, insert, select, update

from isotrack.store.clock import epoch_seconds
from isotrack.store.tables import second_factors


@dataclass(frozen=True)
class SecondFactor:
    user_id: str
    secret: str
    created_at: int
    confirmed_at: int | None
    last_step: int | None

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None


def second_factor_of(connection: Connection, user_id: str) -> SecondFactor | None:
    row = connection.execute(
        select(second_factors).where(second_factors.c.user_id == user_id)
    ).first()
    return SecondFactor(**row._asdict()) if row is not None else None


def confirmed_user_ids(connection: Connection) -> set[str]:
    """Every account whose second factor is in use."""
    rows = connection.execute(
        select(second_factors.c.user_id).where(second_factors.c.confirmed_at.is_not(None))
    ).scalars()
    return set(rows)


def begin_enrolment(connection: Connection, user_id: str, secret: str) -> None:
    """Keep a new, unconfirmed secret for the account (replacing an unconfirmed one)."""
    connection.execute(
        delete(second_factors).where(
            second_factors.c.user_id == user_id, second_factors.c.confirmed_at.is_(None)
        )
    )
    connection.execute(
        insert(second_factors).values(
            user_id=user_id, secret=secret, created_at=epoch_seconds(), confirmed_at=None
        )
    )


def accept_step(connection: Connection, user_id: str, step: int, *, confirm: bool) -> bool:
    """Record ``step`` as used (and the factor as confirmed when ``confirm``); False when a
    step as new or newer was already used, so each code counts once even under races."""
    values: dict[str, int] = {"last_step": step}
    if confirm:
        values["confirmed_at"] = epoch_seconds()
    changed = connection.execute(
        update(second_factors)
        .where(
            second_factors.c.user_id == user_id,
            (second_factors.c.last_step.is_(None)) | (second_factors.c.last_step < step),
        )
        .values(**values)
    ).rowcount
    return bool(changed)


def remove_second_factor(connection: Connection, user_id: str) -> bool:
    """Forget the account's second factor (an admin's recovery); False when it had none."""
    return bool(
        connection.execute(
            delete(second_factors).where(second_factors.c.user_id == user_id)
        ).rowcount
    )
