"""The clinic's settings from the admin console, kept as a history: one row per change.

The newest row of a name is in force; older rows say who chose what before, and when.
Values are JSON; the service layer knows each setting's type and allowed values.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, insert, select

from isotrack.store.clock import utc_timestamp
from isotrack.store.statements import PreparedQuery, Reader, as_reader
from isotrack.store.tables import clinic_settings


@dataclass(frozen=True)
class SettingChange:
    name: str
    value: Any
    changed_at: str
    changed_by: str


def current_settings(connection: Connection) -> dict[str, SettingChange]:
    """The setting in force for every name ever set."""
    newest = (
        select(func.max(clinic_settings.c.id).label("id"))
        .group_by(clinic_settings.c.name)
        .subquery()
    )
    rows = connection.execute(
        select(clinic_settings).where(clinic_settings.c.id.in_(select(newest.c.id)))
    ).all()
    return {
        row.name: SettingChange(row.name, json.loads(row.value), row.changed_at, row.changed_by)
        for row in rows
    }


NEWEST_CHANGE = PreparedQuery(select(func.max(clinic_settings.c.id)))


def newest_change_id(connection: Connection | Reader) -> int:
    """The id of the latest change (0 before any): a process that built something from the
    settings rebuilds it when this moves, whichever process made the change. Asked before
    every decision, so it runs as a prepared statement on the driver's cursor."""
    rows = as_reader(connection).rows(NEWEST_CHANGE)
    return int(rows[0][0] or 0) if rows else 0


def setting_history(connection: Connection, limit: int | None = 50) -> list[SettingChange]:
    """The latest changes (all with ``limit=None``), newest first."""
    rows = connection.execute(
        select(clinic_settings).order_by(clinic_settings.c.id.desc()).limit(limit)
    ).all()
    return [
        SettingChange(row.name, json.loads(row.value), row.changed_at, row.changed_by)
        for row in rows
    ]


def change_setting(connection: Connection, name: str, value: Any, changed_by: str) -> None:
    connection.execute(
        insert(clinic_settings).values(
            name=name,
            value=json.dumps(value),
            changed_at=utc_timestamp(),
            changed_by=changed_by,
        )
    )
