"""Accounting of disclosures: who read or changed which patient's record, when, and through
which door; and an admin's break-glass look at one record, with a reason.

The read and write use cases record an access through :func:`record_access` at the one
point where they grant it (``service.courses``' "course you may see" checks), so no door can
read a record without leaving a row. The door (``web``, ``api``, ``fhir``, ``cds-hooks``,
``audit``, ``cli``) is set once per request by the composition root (:func:`entering`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable
from contextvars import ContextVar, Token
from dataclasses import asdict
from typing import Literal

from sqlalchemy import Connection

from isotrack.domain.errors import FieldProblem, IsotrackInputError
from isotrack.service.access import Action, not_found, require, within_reach
from isotrack.service.context import Service
from isotrack.store.access_log import (
    AccessEntry,
    accesses_of_patient,
    append_access,
    opened_in_emergency_since,
)
from isotrack.store.patients import PatientRecord, patient_record
from isotrack.store.users import Role, User

__all__ = [
    "AccessEntry",
    "access_log_of_patient",
    "break_glass",
    "ehr_access_row",
    "emergency_reach",
    "entering",
    "export_access_log",
    "record_access",
]

AccessAction = Literal["read", "change", "break-glass"]
_DOOR: ContextVar[str] = ContextVar("isotrack_door", default="cli")
MIN_REASON_CHARACTERS = 10
# How long a prescriber's break-glass lets them read the patient's courses: one clinic shift.
# Past it, a new reason is asked; each look is logged as any read is.
EMERGENCY_READ_HOURS = 12
_EMERGENCY_ACTIONS = frozenset({Action.READ_COURSE, Action.OPEN_COURSE})
# How an EHR's CDS Hooks client stands in the access log, where a person's account would.
EHR_CLIENT_USER_ID = "cds-client"
EHR_CLIENT_ROLE = "ehr"


def entering(door: str) -> Token[str]:
    """Name the door the current request came through (reset with ``_DOOR.reset``)."""
    return _DOOR.set(door)


def leaving(token: Token[str]) -> None:
    _DOOR.reset(token)


def current_door() -> str:
    return _DOOR.get()


def _record(
    service: Service,
    who: tuple[str, str, str],
    records: list[tuple[str, str | None]],
    action: AccessAction,
    reason: str | None = None,
) -> None:
    """Append one row per (patient id, course id) for ``who`` (user id, name, role), all in
    one short transaction, through the door of the current request."""
    with service.database.writing() as connection:
        _append_rows(connection, who, records, action, current_door(), reason)


def _append_rows(
    connection: Connection,
    who: tuple[str, str, str],
    records: list[tuple[str, str | None]],
    action: AccessAction,
    door: str,
    reason: str | None,
) -> None:
    user_id, username, role = who
    for patient_id, course_id in records:
        append_access(
            connection,
            user_id=user_id,
            username=username,
            role=role,
            patient_id=patient_id,
            course_id=course_id,
            action=action,
            door=door,
            reason=reason,
        )


def _account(user: User) -> tuple[str, str, str]:
    return user.id, user.username, user.role.value


def record_access(
    service: Service,
    user: User,
    patient_id: str,
    course_id: str | None,
    action: AccessAction,
    *,
    reason: str | None = None,
) -> None:
    """Append one row to the access log, in its own short transaction."""
    _record(service, _account(user), [(patient_id, course_id)], action, reason)


def ehr_access_row(issuer: str, patient_id: str, course_id: str) -> Callable[[Connection], None]:
    """The access-log row of an EHR's CDS Hooks call, to be written in a transaction the
    caller chooses (the call's own group commit); the door is the current request's."""
    ehr = (EHR_CLIENT_USER_ID, issuer[:80], EHR_CLIENT_ROLE)
    door = current_door()  # read now: the write may run on another thread, in its context

    def write(connection: Connection) -> None:
        _append_rows(connection, ehr, [(patient_id, course_id)], "read", door, None)

    return write


def record_accesses(
    service: Service, user: User, courses: list[tuple[str, str]], action: AccessAction
) -> None:
    """One row per (patient id, course id) in the access log, all in one short transaction
    (a page that shows several patients' records at once)."""
    _record(service, _account(user), list(courses), action)


def access_log_of_patient(service: Service, user: User, patient_id: str) -> list[AccessEntry]:
    """The access log of one patient, for their prescriber (and designee) or the auditor;
    anyone else gets the same "not found" as for a patient who does not exist."""
    require(user, Action.READ_ACCESS_LOG)
    with service.database.reading() as connection:
        record = patient_record(connection, patient_id)
        if record is None or (
            user.role is not Role.AUDITOR
            and not within_reach(user, record.id, record.prescriber_user_id)
        ):
            raise not_found(patient_id)
        return accesses_of_patient(connection, patient_id)


def export_access_log(entries: list[AccessEntry], form: Literal["csv", "json"]) -> str:
    """The entries as CSV (a header row, then one row each) or as a JSON array."""
    rows = [asdict(e) for e in entries]
    if form == "json":
        return json.dumps(rows, indent=1)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(AccessEntry.__dataclass_fields__))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def break_glass(service: Service, admin: User, patient_id: str, reason: str) -> PatientRecord:
    """An emergency look at one patient's record (an admin's, or a prescriber's covering for
    a colleague): refused without a reason of at least :data:`MIN_REASON_CHARACTERS`
    characters, logged with it before anything is shown. A prescriber may then read the
    patient's courses for :data:`EMERGENCY_READ_HOURS` (:func:`emergency_reach`)."""
    require(admin, Action.BREAK_GLASS)
    if len(reason.strip()) < MIN_REASON_CHARACTERS:
        raise IsotrackInputError(
            [
                FieldProblem(
                    "break-glass",
                    "reason",
                    reason,
                    f"why you need this record, at least {MIN_REASON_CHARACTERS} characters",
                )
            ],
            "break-glass needs a reason",
        )
    with service.database.reading() as connection:
        record = patient_record(connection, patient_id)
    if record is None:
        raise not_found(patient_id)
    record_access(service, admin, patient_id, None, "break-glass", reason=reason.strip())
    return record


def emergency_reach(service: Service, user: User, action: Action, patient_id: str) -> bool:
    """Whether a prescriber broke the glass on this patient within the last
    :data:`EMERGENCY_READ_HOURS` hours: they may read the courses, never record in them."""
    if user.role is not Role.PRESCRIBER or action not in _EMERGENCY_ACTIONS:
        return False
    since = dt.datetime.now(dt.UTC) - dt.timedelta(hours=EMERGENCY_READ_HOURS)
    with service.database.reading() as connection:
        return opened_in_emergency_since(
            connection, user.id, patient_id, since.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        )
