"""What an audit reports: one finding per rule broken, one row per course audited."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import asdict, dataclass, field
from typing import Any

# Lowest to highest; ``--fail-on`` names one of these.
SEVERITIES: tuple[str, ...] = ("info", "low", "medium", "high", "critical")


def severity_rank(severity: str) -> int:
    """Position of ``severity`` in :data:`SEVERITIES`; a clear error for anything else."""
    try:
        return SEVERITIES.index(severity)
    except ValueError:
        raise ValueError(
            f"severity {severity!r} is not known; allowed: {', '.join(SEVERITIES)}"
        ) from None


@dataclass(frozen=True)
class Finding:
    """One audit rule broken in one course, with the event concerned and the sources."""

    patient_id: str
    course_id: str
    rule_id: str
    event_id: str
    date: str
    severity: str
    message: str
    source_ids: list[str] = field(default_factory=list)
    policy: str = ""
    prescriber_id: str = ""

    def as_row(self) -> dict[str, Any]:
        return asdict(self)

    def sort_key(self) -> tuple[str, str, str, str, str]:
        return (self.course_id, self.date, self.rule_id, self.event_id, self.message)


@dataclass(frozen=True)
class NotRead:
    """Resources of the source the audit could not read, or read only on an assumption the
    reason states: whatever they would show was not checked. ``resource`` names one resource
    (``Observation/abc``) of a course, or, where ``resources`` counts several that name no
    patient (and ``patient_id`` and ``course_id`` are empty), their type."""

    patient_id: str
    course_id: str
    resource: str
    reason: str
    resources: int = 1


@dataclass(frozen=True)
class CourseRow:
    """One audited course: what the summary counts per policy, prescriber and month."""

    course_id: str
    policy: str
    prescriber_id: str
    start_month: str
    dispenses: int
    findings: int
    sql_supply_over: bool | None
    engine_supply_over: bool
    # Resources of the course's source that were not read (FHIR input; 0 for timelines).
    not_read: int = 0


class Pseudonymiser:
    """Keyed HMAC-SHA256 of identifiers, so an auditor sees stable ids that only the key holder
    (the programme) can link back to patients."""

    def __init__(self, key: bytes) -> None:
        if not key:
            raise ValueError("pseudonym key: the key file is empty; it must hold at least 1 byte")
        self._key = key

    def __call__(self, identifier: str) -> str:
        digest = hmac.new(self._key, identifier.encode("utf-8"), hashlib.sha256).hexdigest()
        return f"ps-{digest[:20]}"
