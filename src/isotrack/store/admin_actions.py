"""The admin action log: what an admin changed in the console, appended and never updated.

Each row names the admin, the time, the kind of action, its subject (an account's user name
or a setting's name) and the value before and after, as text for people to read.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, insert, select

from isotrack.store.clock import utc_timestamp
from isotrack.store.tables import admin_actions


@dataclass(frozen=True)
class AdminAction:
    acted_at: str
    acted_by: str
    action: str
    subject: str
    before: str | None
    after: str | None


def record_action(
    connection: Connection,
    acted_by: str,
    action: str,
    subject: str,
    *,
    before: str | None = None,
    after: str | None = None,
) -> None:
    """Append one action in the caller's transaction (the change's own, so neither is kept
    without the other)."""
    connection.execute(
        insert(admin_actions).values(
            acted_at=utc_timestamp(), acted_by=acted_by, action=action, subject=subject,
            before=before, after=after,
        )
    )  # fmt: skip


def recent_actions(connection: Connection, limit: int = 200) -> list[AdminAction]:
    """The latest actions, newest first."""
    rows = connection.execute(
        select(admin_actions).order_by(admin_actions.c.id.desc()).limit(limit)
    ).all()
    return [
        AdminAction(row.acted_at, row.acted_by, row.action, row.subject, row.before, row.after)
        for row in rows
    ]
