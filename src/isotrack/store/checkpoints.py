"""Periodic signed checkpoints: the list of every seal at one moment, signed with the chain key.

A seal protects a row against editing, but an attacker who deletes a row together with its
seal leaves nothing behind to compare with. The checkpoint remembers which subjects existed
(and how long each course's chain was), so deleting a course, a user, a patient or an
authorization with its seal, or putting back an older signed head after deleting a course's
newest events, is seen at the next ``isotrack verify``.
Take one from cron (``isotrack checkpoint``); rows created after the newest checkpoint are
protected by their seals only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, select

from isotrack.store.chain import canonical_json
from isotrack.store.chain_key import key_for, sign, signature_matches
from isotrack.store.clock import utc_timestamp
from isotrack.store.seals import covered_subjects, read_seal_rows
from isotrack.store.tables import checkpoints

CHECKPOINT_PURPOSE = "isotrack.checkpoint/1"


@dataclass(frozen=True)
class Checkpoint:
    id: int
    taken_at: str
    # subject -> the sealed course length (courses) or 0 (everything else)
    subjects: dict[str, int]
    signature_valid: bool


def _body(seals: dict[str, tuple[dict[str, Any], str]]) -> dict[str, int]:
    """Every sealed subject (each member of a batch seal by itself) and its course length."""
    return {
        subject: int(fields.get("seq", 0)) if subject.startswith("course:") else 0
        for subject, (fields, _seal) in seals.items()
    }


def take_checkpoint(connection: Connection) -> Checkpoint:
    """Sign the current set of seals (run it after a clean ``verify``)."""
    taken_at = utc_timestamp()
    subjects = _body(covered_subjects(read_seal_rows(connection)).sealed)
    text = canonical_json({"taken_at": taken_at, "subjects": subjects})
    signature = sign(key_for(connection), CHECKPOINT_PURPOSE, text)
    checkpoint_id = connection.execute(
        insert(checkpoints)
        .values(taken_at=taken_at, body=text, signature=signature)
        .returning(checkpoints.c.id)
    ).scalar_one()
    return Checkpoint(int(checkpoint_id), taken_at, subjects, True)


def latest_checkpoint(connection: Connection) -> Checkpoint | None:
    row = connection.execute(select(checkpoints).order_by(checkpoints.c.id.desc()).limit(1)).first()
    if row is None:
        return None
    valid = signature_matches(key_for(connection), CHECKPOINT_PURPOSE, row.body, row.signature)
    try:
        body = json.loads(row.body)
        subjects = {str(k): int(v) for k, v in body["subjects"].items()}
        valid = valid and body.get("taken_at") == row.taken_at
    except (ValueError, KeyError, TypeError, AttributeError):
        subjects, valid = {}, False
    return Checkpoint(int(row.id), row.taken_at, subjects, valid)
