"""Shared pieces of the audit suite: a compliant course to break, the audit call, a key."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from typing import Any

import pytest

from isotrack.audit.rules import CourseAudit, audit_course
from isotrack.audit.synth import _course
from isotrack.domain.timeline import load_timeline
from isotrack.knowledge import Knowledge

FIRST_FILL = dt.date(2025, 3, 3)
AUDIT_DAY = dt.date(2026, 11, 1)
KEY = b"programme-held pseudonym key"


def compliant_course(policy: str, *, can_get_pregnant: bool, fills: int = 4) -> dict[str, Any]:
    """A course that keeps every rule of its programme: contraception a month ahead, tests,
    counselling, assessments, labs and a PHQ-9 at every monthly visit, one fill per
    prescription of 30 days, and (if she can get pregnant) the post-treatment test."""
    built = _course(policy, can_get_pregnant, fills, False, FIRST_FILL, "prescriber-007")
    return {
        "schema": "isotrack.timeline/1",
        "policy": policy,
        "patient": {
            "id": "pt-audit",
            "birth_date": "1996-04-12",
            "sex_at_birth": "female" if can_get_pregnant else "male",
            "can_get_pregnant": can_get_pregnant,
        },
        "events": built.events,
    }


def event(course: dict[str, Any], event_id: str) -> dict[str, Any]:
    return next(e for e in course["events"] if e["id"] == event_id)


def drop(course: dict[str, Any], *event_ids: str) -> None:
    course["events"] = [e for e in course["events"] if e["id"] not in event_ids]


def audit(knowledge: Knowledge, course: dict[str, Any]) -> CourseAudit:
    return audit_course(knowledge, load_timeline(course), AUDIT_DAY)


def rules_found(result: CourseAudit) -> set[tuple[str, str]]:
    return {(f.rule_id, f.event_id) for f in result.findings}


def require_java() -> None:
    """Spark runs on the JVM: skip without Java, except where Spark is required (CI)."""
    if shutil.which("java") is not None:
        return
    reason = "Spark needs Java: install Debian's default-jre-headless"
    if os.environ.get("ISOTRACK_REQUIRE_SPARK") == "1":
        pytest.fail(reason + " (ISOTRACK_REQUIRE_SPARK=1)")
    pytest.skip(reason)
