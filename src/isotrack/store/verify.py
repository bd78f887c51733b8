"""Recompute every course's hash chain and report the first broken link of each course, then
compare every protected row with its signed seal and the newest checkpoint."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import Connection, select

from isotrack.store.chain import event_hash, genesis_hash
from isotrack.store.courses import read_header
from isotrack.store.tables import courses, events
from isotrack.store.verify_seals import Finding, verify_seals


@dataclass(frozen=True)
class BrokenLink:
    course_id: str
    seq: int  # 0 = the course header itself
    problem: str

    def describe(self) -> str:
        where = "course header" if self.seq == 0 else f"event #{self.seq}"
        return f"course {self.course_id}: {where}: {self.problem}"


@dataclass(frozen=True)
class VerifyReport:
    courses_checked: int = 0
    events_checked: int = 0
    broken: list[BrokenLink] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.broken and not self.findings

    def problems(self) -> list[str]:
        """Every problem, one line each, courses' chains first."""
        return [b.describe() for b in self.broken] + [f.describe() for f in self.findings]


def verify_course(connection: Connection, course_id: str) -> tuple[int, BrokenLink | None]:
    """(events checked, the first broken link or None) for one course."""
    header = read_header(connection, course_id)
    expected_genesis = genesis_hash(header.genesis_fields())
    if expected_genesis != header.genesis_hash:
        return 0, BrokenLink(course_id, 0, "header changed since the course was opened")
    prev = header.genesis_hash
    rows = connection.execute(
        select(events).where(events.c.course_id == course_id).order_by(events.c.seq)
    ).all()
    for expected_seq, row in enumerate(rows, start=1):
        if row.seq != expected_seq:
            return expected_seq, BrokenLink(
                course_id, expected_seq, f"event #{expected_seq} is missing (found #{row.seq})"
            )
        if row.prev_hash != prev:
            return expected_seq, BrokenLink(
                course_id, row.seq, "previous-hash does not match the event before it"
            )
        try:
            body = json.loads(row.body)
        except json.JSONDecodeError:
            return expected_seq, BrokenLink(course_id, row.seq, "stored event is not JSON")
        recomputed = event_hash(
            prev,
            course_id=course_id,
            seq=row.seq,
            body=body,
            recorded_by=row.recorded_by,
            recorded_at=row.recorded_at,
        )
        if recomputed != row.hash:
            return expected_seq, BrokenLink(
                course_id, row.seq, "content changed: its hash no longer matches"
            )
        if body.get("id") != row.event_id or body.get("type") != row.type:
            return expected_seq, BrokenLink(
                course_id, row.seq, "indexed id/type columns disagree with the event"
            )
        if str(body.get("date")) != row.date.isoformat():
            return expected_seq, BrokenLink(
                course_id, row.seq, "indexed date column disagrees with the event"
            )
        prev = row.hash
    return len(rows), None


def verify_all(connection: Connection) -> VerifyReport:
    """Check every course; one broken link (the first) is reported per broken course."""
    course_ids = connection.execute(select(courses.c.id).order_by(courses.c.id)).scalars().all()
    checked_events = 0
    broken: list[BrokenLink] = []
    for course_id in course_ids:
        count, link = verify_course(connection, course_id)
        checked_events += count
        if link is not None:
            broken.append(link)
    findings = verify_seals(connection, {link.course_id for link in broken})
    return VerifyReport(len(course_ids), checked_events, broken, findings)
