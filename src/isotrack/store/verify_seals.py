"""Compare every protected row with its signed seal, and every seal with the newest checkpoint.

The per-course hash chain (``isotrack.store.verify``) shows that stored events fit together;
only the signed seals show that the chain is the one isotrack wrote: that nobody cut its
newest events, appended a forged one, rewrote and re-chained it, deleted the course, or
edited a user, a patient's prescriber or a recorded authorization.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select

from isotrack.store.chain import canonical_json
from isotrack.store.chain_key import key_for
from isotrack.store.checkpoints import latest_checkpoint
from isotrack.store.seals import (
    authorization_fields,
    batch_members,
    covered_subjects,
    patient_fields,
    read_seal_rows,
    seal_signature,
    user_fields,
)
from isotrack.store.tables import courses, dispense_authorizations, events, patients, users

KIND_NAMES = {
    "course": "course",
    "user": "user",
    "patient": "patient",
    "authorization": "authorization",
    "batch": "seal of the batch starting with",
}


@dataclass(frozen=True)
class Finding:
    subject: str  # "user:u-1a2b", "course:c-3c4d", ...
    problem: str

    def describe(self) -> str:
        kind, _, ident = self.subject.partition(":")
        return f"{KIND_NAMES.get(kind, kind)} {ident}: {self.problem}"


def _chain_heads(connection: Connection) -> dict[str, tuple[int, str]]:
    """course id -> (length, hash of its last link) as stored now."""
    heads = {
        row.id: (0, row.genesis_hash)
        for row in connection.execute(select(courses.c.id, courses.c.genesis_hash))
    }
    last = (
        select(events.c.course_id, func.max(events.c.seq).label("seq"))
        .group_by(events.c.course_id)
        .subquery()
    )
    rows = connection.execute(
        select(events.c.course_id, events.c.seq, events.c.hash).join(
            last, (events.c.course_id == last.c.course_id) & (events.c.seq == last.c.seq)
        )
    )
    for row in rows:
        heads[row.course_id] = (int(row.seq), row.hash)
    return heads


def _head_problem(stored: tuple[int, str], sealed: Mapping[str, Any]) -> str | None:
    seq, head = stored
    sealed_seq = int(sealed["seq"])
    if seq > sealed_seq:
        return (
            f"events #{sealed_seq + 1} to #{seq} are not covered by the signed head "
            f"(signed at #{sealed_seq}): appended outside isotrack"
        )
    if seq < sealed_seq:
        return f"events #{seq + 1} to #{sealed_seq} were deleted (signed head at #{sealed_seq})"
    if head != sealed["head"]:
        return "the chain was rewritten: its last hash differs from the signed head"
    return None


def _differences(now: Mapping[str, Any], sealed: Mapping[str, Any]) -> str | None:
    changed = [
        f"{name} changed from {sealed.get(name)!r} to {now.get(name)!r}"
        if name != "password"
        else "password hash changed outside isotrack"
        for name in sorted(set(now) | set(sealed))
        if now.get(name) != sealed.get(name)
    ]
    return "; ".join(changed) if changed else None


def _rows(
    connection: Connection, table: Any, key: str, fields: Callable[[Mapping[str, Any]], Any]
) -> dict[str, dict[str, Any]]:
    return {
        str(row._mapping[key]): fields(dict(row._mapping))
        for row in connection.execute(select(table))
    }


def verify_seals(connection: Connection, broken_courses: set[str]) -> list[Finding]:
    """Every disagreement between rows, seals and the newest checkpoint, one per subject.

    ``broken_courses`` already failed their chain check and are not reported again.
    """
    key = key_for(connection)
    rows = read_seal_rows(connection)
    coverage = covered_subjects(rows)
    seals = coverage.sealed
    findings: dict[str, str] = {}

    def report(subject: str, problem: str) -> None:
        findings.setdefault(subject, problem)

    forged = {
        row.subject
        for row in rows
        if seal_signature(key, row.subject, canonical_json(row.fields)) != row.signature
    }
    for row in rows:  # a batch seal that lost its members still names itself
        if row.subject in forged and batch_members(row) == {}:
            report(row.subject, "its seal does not match its signature (seal edited or forged)")
    for subject, (_fields, sealed_by) in seals.items():
        if sealed_by in forged:
            report(subject, "its seal does not match its signature (seal edited or forged)")
    for subject in coverage.twice:
        report(subject, "is covered by more than one seal (a seal was copied or forged)")

    current: dict[str, dict[str, Any]] = {}
    for course_id, head in _chain_heads(connection).items():
        current[f"course:{course_id}"] = {"seq": head[0], "head": head[1]}
    for kind, table, to_fields in (
        ("user", users, user_fields),
        ("patient", patients, patient_fields),
        ("authorization", dispense_authorizations, authorization_fields),
    ):
        key_column = "code" if kind == "authorization" else "id"
        for ident, row_fields in _rows(connection, table, key_column, to_fields).items():
            current[f"{kind}:{ident}"] = row_fields

    for subject, now in current.items():
        if subject.partition(":")[2] in broken_courses and subject.startswith("course:"):
            continue
        sealed = seals.get(subject)
        if sealed is None:
            report(subject, "has no seal: it was written outside isotrack")
            continue
        if subject.startswith("course:"):
            problem = _head_problem((now["seq"], now["head"]), sealed[0])
        else:
            problem = _differences(now, sealed[0])
        if problem is not None:
            report(subject, problem)
    for subject in seals.keys() - current.keys():
        report(subject, "was deleted (its seal remains)")

    checkpoint = latest_checkpoint(connection)
    if checkpoint is not None:
        label = f"checkpoint #{checkpoint.id} of {checkpoint.taken_at}"
        if not checkpoint.signature_valid:
            report(f"checkpoint:{checkpoint.id}", "its signature does not match")
        for subject, seq in checkpoint.subjects.items():
            if subject not in current:
                report(subject, f"was deleted (it is listed in {label})")
            elif subject.startswith("course:") and current[subject]["seq"] < seq:
                report(
                    subject,
                    f"has {current[subject]['seq']} events but had {seq} at {label}: "
                    "newest events deleted",
                )
    return [Finding(subject, problem) for subject, problem in sorted(findings.items())]
