"""Recorded dispense decisions (authorizations), committed by the process's group commit.

Every decision a pharmacist requests is stored with its code, outcome, reasons and
``dispense_by`` before the answer leaves the service. Many requests arrive at once, so they go
through the group-commit writer (``store/group_commit.py``): callers that decide several
records at once hand them over together (:meth:`AuthorizationWriter.submit_batch`); the API
does so for all decisions worked out in one turn of its event loop.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, select
from sqlalchemy.exc import IntegrityError

from isotrack.store.clock import utc_timestamp
from isotrack.store.group_commit import GroupCommit
from isotrack.store.seals import authorization_seal, insert_seals, seal_batch
from isotrack.store.tables import dispense_authorizations

# Crockford-style alphabet: no I, L, O or U, so a code read aloud over the phone is unambiguous.
_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 10


_CODE_BITS = 5  # the alphabet has 2**5 letters, so each 5 random bits pick one uniformly
_CODE_MASK = (1 << _CODE_BITS) - 1
assert len(_CODE_ALPHABET) == 1 << _CODE_BITS


def new_authorization_code() -> str:
    """A random 10-letter code (50 bits) from one draw of the system's random source."""
    drawn = secrets.randbits(_CODE_BITS * CODE_LENGTH)
    letters = []
    for _ in range(CODE_LENGTH):
        letters.append(_CODE_ALPHABET[drawn & _CODE_MASK])
        drawn >>= _CODE_BITS
    return "".join(letters)


@dataclass(frozen=True)
class AuthorizationRecord:
    code: str
    course_id: str
    prescription_id: str | None
    decided_on: dt.date
    authorized: bool
    dispense_by: dt.date | None
    max_days_supply: int | None
    decision: dict[str, Any]  # the full decision as returned to the pharmacist
    requested_by: str
    recorded_at: str
    idempotency_key: str | None = None
    fingerprint: str | None = None

    def row(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "course_id": self.course_id,
            "prescription_id": self.prescription_id,
            "decided_on": self.decided_on,
            "authorized": self.authorized,
            "dispense_by": self.dispense_by,
            "max_days_supply": self.max_days_supply,
            "decision": json.dumps(self.decision, separators=(",", ":"), ensure_ascii=False),
            "requested_by": self.requested_by,
            "recorded_at": self.recorded_at,
            "idempotency_key": self.idempotency_key,
            "fingerprint": self.fingerprint,
        }


def _record(row: Any) -> AuthorizationRecord:
    data = dict(row._mapping)
    data["decision"] = json.loads(data["decision"])
    return AuthorizationRecord(**data)


def authorization_by_code(connection: Connection, code: str) -> AuthorizationRecord | None:
    row = connection.execute(
        select(dispense_authorizations).where(dispense_authorizations.c.code == code.upper())
    ).first()
    return _record(row) if row else None


def authorization_by_key(
    connection: Connection, requested_by: str, idempotency_key: str
) -> AuthorizationRecord | None:
    row = connection.execute(
        select(dispense_authorizations).where(
            dispense_authorizations.c.requested_by == requested_by,
            dispense_authorizations.c.idempotency_key == idempotency_key,
        )
    ).first()
    return _record(row) if row else None


def authorizations_of_course(connection: Connection, course_id: str) -> list[AuthorizationRecord]:
    rows = connection.execute(
        select(dispense_authorizations)
        .where(dispense_authorizations.c.course_id == course_id)
        .order_by(dispense_authorizations.c.recorded_at)
    ).all()
    return [_record(row) for row in rows]


def record_authorization_now(connection: Connection, record: AuthorizationRecord) -> None:
    """Insert one authorization in the caller's transaction (tests, imports, the CLI)."""
    connection.execute(insert(dispense_authorizations).values(record.row()))
    insert_seals(connection, [authorization_seal(record.row())])


class DuplicateRequest(Exception):
    """An authorization with the same requester and idempotency key was stored first."""


Outcome = AuthorizationRecord | DuplicateRequest
"""What became of one submitted record: committed, or refused for its idempotency key."""


def outcome_of(batch: Future[list[Outcome]], index: int) -> AuthorizationRecord:
    """The committed record at ``index`` of a finished batch; raises the batch's database
    error, or :class:`DuplicateRequest` for a record refused for its idempotency key."""
    outcome = batch.result()[index]  # raises the error of a batch that failed as a whole
    if isinstance(outcome, DuplicateRequest):
        raise outcome
    return outcome


class AuthorizationWriter:
    """Dispense authorizations handed to the process's group commit.

    ``submit`` returns a future that completes once the record is committed, or fails with
    :class:`DuplicateRequest` (same idempotency key) or the database error. ``submit_batch``
    does the same for several records with one future and one hand-over.
    """

    def __init__(self, commits: GroupCommit) -> None:
        self._commits = commits

    def start(self) -> None:
        self._commits.start()

    def close(self) -> None:
        """Commit what is queued, then stop the writer thread."""
        self._commits.close()

    def submit_batch(self, records: list[AuthorizationRecord]) -> Future[list[Outcome]]:
        """Queue records for the next commit; the future holds one outcome per record, or
        the database error if the commit failed."""
        return self._commits.submit(commit_authorizations, list(records))

    def submit(self, record: AuthorizationRecord) -> Future[AuthorizationRecord]:
        single: Future[AuthorizationRecord] = Future()

        def settle(batch: Future[list[Outcome]]) -> None:
            if not single.set_running_or_notify_cancel():
                return  # the caller gave up waiting
            try:
                single.set_result(outcome_of(batch, 0))
            except BaseException as failure:
                single.set_exception(failure)

        self.submit_batch([record]).add_done_callback(settle)
        return single


def commit_authorizations(
    connection: Connection, batches: list[list[AuthorizationRecord]]
) -> list[list[Outcome]]:
    """The group commit's kind for authorizations: the unkeyed records of every batch in one
    insert, each keyed record in a savepoint (a repeated key is refused alone), one seal."""
    records = [record for batch in batches for record in batch]
    refused: dict[int, DuplicateRequest] = {}
    plain = [r.row() for r in records if r.idempotency_key is None]
    if plain:
        connection.execute(insert(dispense_authorizations), plain)
    written = list(plain)
    for record in records:
        if record.idempotency_key is None:
            continue
        try:
            with connection.begin_nested():
                row = record.row()
                connection.execute(insert(dispense_authorizations).values(row))
            written.append(row)
        except IntegrityError:
            stored = authorization_by_key(connection, record.requested_by, record.idempotency_key)
            if stored is None:  # not the key: a database error like any other
                raise
            refused[id(record)] = DuplicateRequest(record.idempotency_key)
    # One seal over every record the batch wrote (decision 55): one HMAC a commit.
    seal_batch(connection, [authorization_seal(row) for row in written])
    return [[refused.get(id(r), r) for r in batch] for batch in batches]


def make_record(
    *,
    course_id: str,
    prescription_id: str | None,
    decided_on: dt.date,
    authorized: bool,
    dispense_by: dt.date | None,
    max_days_supply: int | None,
    decision: dict[str, Any],
    requested_by: str,
    idempotency_key: str | None = None,
    fingerprint: str | None = None,
    code: str | None = None,
) -> AuthorizationRecord:
    return AuthorizationRecord(
        code=code or new_authorization_code(),
        course_id=course_id,
        prescription_id=prescription_id,
        decided_on=decided_on,
        authorized=authorized,
        dispense_by=dispense_by,
        max_days_supply=max_days_supply,
        decision=decision,
        requested_by=requested_by,
        recorded_at=utc_timestamp(),
        idempotency_key=idempotency_key,
        fingerprint=fingerprint,
    )
