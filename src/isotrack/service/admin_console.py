"""The admin console's use cases: accounts with their links and factors, every live session,
designees' prescribers, and the whole access log filtered and exported.

An admin changes; an auditor reads the accounts and the access log and changes nothing.
Neither sees a clinical record here: the access log names records by their ids only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from isotrack.domain.errors import FieldProblem, IsotrackInputError, RecordNotFound
from isotrack.service.access import Action, require
from isotrack.service.accounts import manage
from isotrack.service.context import Service
from isotrack.store import accounts as store_accounts
from isotrack.store.access_log import AccessEntry, search_accesses
from isotrack.store.accounts import LiveSession
from isotrack.store.admin_actions import AdminAction, recent_actions, record_action
from isotrack.store.second_factors import confirmed_user_ids
from isotrack.store.users import (
    Role,
    User,
    list_users,
    programme_ids,
    user_by_id,
    user_by_username,
)

__all__ = [
    "AccessLogPage",
    "AccountRow",
    "LiveSession",
    "accounts_overview",
    "end_any_session",
    "link_designee",
    "live_sessions",
    "review_access_log",
]

ACCESS_LOG_PAGE_ROWS = 500


@dataclass(frozen=True)
class AccountRow:
    """One account as the console lists it."""

    user: User
    prescriber_username: str | None  # a designee's prescriber
    linked_to_patient: bool
    second_factor_on: bool
    live_sessions: int
    programme_id: str | None = None  # a prescriber's programme (iPLEDGE) id


def accounts_overview(service: Service, user: User) -> list[AccountRow]:
    """Every account with its links, factor and live sessions (admins and auditors)."""
    require(user, Action.READ_ACCOUNTS)
    if user.role is Role.ADMIN:
        manage(service, user)
    with service.database.reading() as connection:
        everyone = list_users(connection)
        with_factor = confirmed_user_ids(connection)
        sessions = store_accounts.live_sessions(connection)
        programme = programme_ids(connection)
    names = {u.id: u.username for u in everyone}
    counts: dict[str, int] = {}
    for session in sessions:
        counts[session.user_id] = counts.get(session.user_id, 0) + 1
    return [
        AccountRow(
            u,
            names.get(u.prescriber_user_id or ""),
            u.patient_id is not None,
            u.id in with_factor,
            counts.get(u.id, 0),
            programme.get(u.id),
        )
        for u in everyone
    ]


def live_sessions(service: Service, admin: User) -> list[LiveSession]:
    """Every live session of every account, newest first (admins)."""
    manage(service, admin)
    with service.database.reading() as connection:
        return store_accounts.live_sessions(connection)


def end_any_session(service: Service, admin: User, session_id: str) -> None:
    """An admin ends one session of any account; :class:`RecordNotFound` when none is live."""
    manage(service, admin)
    with service.database.writing() as connection:
        owner = store_accounts.session_owner(connection, session_id)
        ended = store_accounts.revoke_any_session(connection, session_id)
        if ended:
            record_action(connection, admin.username, "ended session", owner or "?")
    if not ended:
        raise RecordNotFound("no live session with this id")


def link_designee(service: Service, admin: User, user_id: str, prescriber_username: str) -> User:
    """Make a designee act for another prescriber; their sessions end so the new link holds
    from their next sign-in. Refused, naming the field, unless the account is a designee and
    the name is an active prescriber's."""
    manage(service, admin)
    with service.database.writing() as connection:
        designee = user_by_id(connection, user_id)
        if designee is None:
            raise RecordNotFound(f"no user {user_id!r}")
        problems = []
        if designee.role is not Role.DESIGNEE:
            problems.append(FieldProblem("account", "user", designee.username,
                                         "a designee's account"))  # fmt: skip
        prescriber = user_by_username(connection, prescriber_username.strip())
        if prescriber is None or prescriber.role is not Role.PRESCRIBER or not prescriber.active:
            problems.append(FieldProblem("account", "prescriber", prescriber_username,
                                         "the user name of an active prescriber"))  # fmt: skip
        if problems or prescriber is None:
            raise IsotrackInputError(problems, "designee not linked")
        before = user_by_id(connection, designee.prescriber_user_id or "")
        store_accounts.link_designee(connection, user_id, prescriber.id)
        store_accounts.revoke_other_sessions(connection, user_id, None)
        record_action(connection, admin.username, "linked designee", designee.username,
                      before=f"acts for {before.username}" if before else None,
                      after=f"acts for {prescriber.username}")  # fmt: skip
    return designee


@dataclass(frozen=True)
class AccessLogPage:
    entries: list[AccessEntry]
    more: bool  # more rows matched than are shown


def _day(field: str, raw: str | None) -> dt.date | None:
    if raw is None or not raw.strip():
        return None
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise IsotrackInputError(
            [FieldProblem("access log filter", field, raw, "a date as YYYY-MM-DD")],
            "filter not understood",
        ) from None


def review_access_log(
    service: Service,
    user: User,
    *,
    username: str | None = None,
    course_id: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    limit: int = ACCESS_LOG_PAGE_ROWS,
) -> AccessLogPage:
    """The whole access log, newest first, filtered by who, which course and which days
    (``date_to`` included); admins and auditors. Dates are UTC days."""
    require(user, Action.REVIEW_ACCESS_LOG)
    if user.role is Role.ADMIN:
        manage(service, user)
    first, last = _day("date_from", date_from), _day("date_to", date_to)
    if first is not None and last is not None and last < first:
        raise IsotrackInputError(
            [FieldProblem("access log filter", "date_to", date_to,
                          f"a day on or after {first.isoformat()} (the 'from' day)")],
            "filter not understood",
        )  # fmt: skip
    with service.database.reading() as connection:
        entries, more = search_accesses(
            connection,
            username=(username or "").strip() or None,
            course_id=(course_id or "").strip() or None,
            since=first.isoformat() if first else None,
            before=(last + dt.timedelta(days=1)).isoformat() if last else None,
            limit=limit,
        )
    return AccessLogPage(entries, more)


def admin_actions(service: Service, user: User) -> list[AdminAction]:
    """What admins changed in the console (settings and accounts), newest first; admins and
    auditors read it."""
    require(user, Action.READ_SETTINGS)
    with service.database.reading() as connection:
        return recent_actions(connection)
