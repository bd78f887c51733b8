"""A prescriber's programme id (the iPLEDGE prescriber id), kept on the account.

Typed once, on the prescriber's account page or by an admin, it fills the prescription form;
each prescription event still records the id it was signed with, so changing the account's id
later changes no record of care.
"""

from __future__ import annotations

import re

from isotrack.domain.errors import ActionNotAllowed, FieldProblem, IsotrackInputError
from isotrack.service.accounts import manage
from isotrack.service.context import Service
from isotrack.store.users import Role, User, programme_id_of, set_programme_id, user_by_id

MAX_LENGTH = 60  # the column's width; programme ids are short codes
_SHAPE = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._/-]*")
ALLOWED = (
    f"up to {MAX_LENGTH} letters, digits, spaces, '.', '-', '_' or '/', starting with a letter "
    "or digit; empty to clear it"
)


def programme_id_for_prescribing(service: Service, user: User) -> str:
    """The programme id to put into this user's prescription form: their own if they are a
    prescriber ("" when none is kept, or for anyone else: only a prescriber signs)."""
    if user.role is not Role.PRESCRIBER:
        return ""
    with service.database.reading() as connection:
        return programme_id_of(connection, user.id) or ""


def change_programme_id(service: Service, actor: User, user_id: str, text: str) -> str | None:
    """Keep ``text`` as the prescriber's programme id (blank clears it); the value kept.
    A prescriber changes their own; an admin anyone's. :class:`IsotrackInputError` names the
    field ``programme_id``."""
    if not (actor.role is Role.PRESCRIBER and actor.id == user_id):
        manage(service, actor)
    value = " ".join(text.split()) or None
    if value is not None and (len(value) > MAX_LENGTH or not _SHAPE.fullmatch(value)):
        raise IsotrackInputError(
            [FieldProblem("account", "programme_id", value, ALLOWED)],
            "the prescriber's programme id is not in a form the programme uses",
        )
    with service.database.writing() as connection:
        target = user_by_id(connection, user_id)
        if target is None or target.role is not Role.PRESCRIBER:
            raise ActionNotAllowed("only a prescriber's account holds a programme id")
        set_programme_id(connection, user_id, value)
    return value
