"""Signed seals: what each protected row held when isotrack last wrote it.

One seal per subject — ``course:<id>`` (its chain head: sequence number and last hash),
``user:<id>`` (name, role, links, active, password hash), ``patient:<id>`` (whose care) and
``authorization:<code>`` (the whole recorded decision). A seal keeps the sealed fields as
canonical JSON plus an HMAC under the chain key, and it is written in the same transaction as
the row it covers, so a committed row and its seal always agree. Anyone who edits the row
without the key leaves a seal that no longer matches; anyone who edits the seal breaks its
signature; a row without a seal was not written by isotrack.

Rows committed together by the group-commit writer (authorizations, which are inserted once and
never change) carry one seal over the batch: ``batch:<first member's subject>`` holding every
member's sealed fields under one HMAC. Verification reads it as one seal per member
(:func:`covered_subjects`), so each member is compared, reported and checkpointed as before.
Mutable subjects (a course's head, a user, a patient) keep one seal each: their seal is
replaced when the row changes, and one row in two seals would let an older, still validly
signed copy stand in for the newest.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, select, update

from isotrack.store.chain import canonical_json
from isotrack.store.chain_key import key_for, sign
from isotrack.store.tables import seals, users

SEAL_PURPOSE = "isotrack.seal/1"
BATCH_PREFIX = "batch:"

USER_FIELDS = ("id", "username", "role", "prescriber_user_id", "patient_id", "active")
USER_SECRET_FIELDS = ("password_hash",)
PATIENT_FIELDS = ("id", "prescriber_user_id")
AUTHORIZATION_FIELDS = (
    "code",
    "course_id",
    "prescription_id",
    "decided_on",
    "authorized",
    "dispense_by",
    "max_days_supply",
    "decision",
    "requested_by",
    "recorded_at",
)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def sealed_fields(row: Mapping[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {name: _plain(row[name]) for name in names}


def user_fields(row: Mapping[str, Any]) -> dict[str, Any]:
    """A user's sealed fields; the password hash is sealed as its digest, never copied."""
    fields = sealed_fields(row, USER_FIELDS)
    fields["active"] = bool(fields["active"])
    fields["password"] = _digest(str(row["password_hash"]))
    return fields


def patient_fields(row: Mapping[str, Any]) -> dict[str, Any]:
    return sealed_fields(row, PATIENT_FIELDS)


def authorization_fields(row: Mapping[str, Any]) -> dict[str, Any]:
    """The decision's columns, and its full JSON as a digest (the seal stays small)."""
    fields = sealed_fields(row, AUTHORIZATION_FIELDS)
    fields["authorized"] = bool(fields["authorized"])
    fields["decision"] = _digest(str(fields["decision"]))
    return fields


def head_fields(seq: int, head_hash: str) -> dict[str, Any]:
    return {"seq": seq, "head": head_hash}


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def seal_signature(key: bytes, subject: str, fields_json: str) -> str:
    return sign(key, SEAL_PURPOSE, subject + "\n" + fields_json)


def _seal_row(key: bytes, subject: str, fields: dict[str, Any]) -> dict[str, str]:
    text = canonical_json(fields)
    return {"subject": subject, "fields": text, "signature": seal_signature(key, subject, text)}


def write_seal(connection: Connection, subject: str, fields: dict[str, Any]) -> None:
    """Insert or replace the seal of ``subject`` in the caller's transaction."""
    row = _seal_row(key_for(connection), subject, fields)
    changed = connection.execute(
        update(seals)
        .where(seals.c.subject == subject)
        .values(fields=row["fields"], signature=row["signature"])
    ).rowcount
    if not changed:
        connection.execute(insert(seals).values(row))


def insert_seals(connection: Connection, subjects: list[tuple[str, dict[str, Any]]]) -> None:
    """Seals for rows that were just inserted (one statement for the whole batch)."""
    if subjects:
        key = key_for(connection)
        connection.execute(
            insert(seals), [_seal_row(key, subject, fields) for subject, fields in subjects]
        )


def seal_batch(connection: Connection, subjects: Sequence[tuple[str, dict[str, Any]]]) -> None:
    """One seal over rows inserted together (a commit batch of the group-commit writer): one
    HMAC and one row for the batch; a batch of one is sealed as a single row."""
    if len(subjects) < 2:
        insert_seals(connection, list(subjects))
        return
    members = dict(subjects)
    insert_seals(connection, [(BATCH_PREFIX + subjects[0][0], {"members": members})])


def seal_user(connection: Connection, user_id: str) -> None:
    row = connection.execute(select(users).where(users.c.id == user_id)).one()
    write_seal(connection, f"user:{user_id}", user_fields(dict(row._mapping)))


def seal_head(connection: Connection, course_id: str, seq: int, head_hash: str) -> None:
    """The course's signed chain head, moved in the transaction that appends."""
    write_seal(connection, f"course:{course_id}", head_fields(seq, head_hash))


def seal_patient(connection: Connection, patient_id: str, prescriber_user_id: str | None) -> None:
    fields = {"id": patient_id, "prescriber_user_id": prescriber_user_id}
    write_seal(connection, f"patient:{patient_id}", fields)


def authorization_seal(row: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    return f"authorization:{row['code']}", authorization_fields(row)


@dataclass(frozen=True)
class SealRow:
    """One stored seal: a subject's, or a batch's over several subjects."""

    subject: str
    fields: dict[str, Any]
    signature: str


def read_seal_rows(connection: Connection) -> list[SealRow]:
    """Every stored seal as written (batch seals whole)."""
    rows = connection.execute(select(seals.c.subject, seals.c.fields, seals.c.signature)).all()
    return [SealRow(row.subject, json.loads(row.fields), row.signature) for row in rows]


def batch_members(row: SealRow) -> dict[str, dict[str, Any]] | None:
    """A batch seal's members (subject -> sealed fields); ``None`` when the row is not a batch
    seal, ``{}`` when it claims to be one but holds no readable members (edited)."""
    if not row.subject.startswith(BATCH_PREFIX):
        return None
    members = row.fields.get("members")
    if not isinstance(members, dict):
        return {}
    return {str(s): f for s, f in members.items() if isinstance(f, dict)}


@dataclass(frozen=True)
class Coverage:
    """Which stored seal covers each subject."""

    sealed: dict[str, tuple[dict[str, Any], str]]  # subject -> (its fields, the seal row's subject)
    twice: set[str]  # subjects found in more than one seal (a copied or forged seal)


def covered_subjects(rows: Sequence[SealRow]) -> Coverage:
    """Every sealed subject with its sealed fields and the seal row that holds them."""
    sealed: dict[str, tuple[dict[str, Any], str]] = {}
    twice: set[str] = set()
    for row in rows:
        members = batch_members(row)
        held = members if members is not None else {row.subject: row.fields}
        for subject, fields in held.items():
            if subject in sealed:
                twice.add(subject)
            sealed.setdefault(subject, (fields, row.subject))
    return Coverage(sealed, twice)
