"""The audit summary, accumulated batch by batch so no runner holds the whole population."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from isotrack.audit.findings import CourseRow, Finding, NotRead, severity_rank
from isotrack.audit.rule_names import rule_name
from isotrack.audit.rules import NOT_CHECKABLE

TOP_FINDINGS = 50
# Distinct reasons counted one by one; beyond them, "other reasons" (a reason may name the
# resource it concerns, and an export may hold millions).
NOT_READ_REASONS_KEPT = 100
OTHER_REASONS = "other reasons"


@dataclass
class _Group:
    courses: int = 0
    with_findings: int = 0
    findings: int = 0

    def as_json(self) -> dict[str, Any]:
        rate = self.with_findings / self.courses if self.courses else 0.0
        return {
            "courses": self.courses,
            "courses_with_findings": self.with_findings,
            "findings": self.findings,
            "rate": round(rate, 4),
        }


@dataclass
class AuditSummary:
    """Counts per rule, severity, policy, prescriber and month, plus the SQL cross-check."""

    source: str
    engine: str
    audit_date: str
    courses: int = 0
    dispenses: int = 0
    unreadable: int = 0
    findings: int = 0
    by_rule: Counter[str] = field(default_factory=Counter)
    by_severity: Counter[str] = field(default_factory=Counter)
    by_policy: dict[str, _Group] = field(default_factory=dict)
    by_prescriber: dict[str, _Group] = field(default_factory=dict)
    by_month: dict[str, _Group] = field(default_factory=dict)
    rule_sources: dict[str, list[str]] = field(default_factory=dict)
    sql_checked: int = 0
    sql_disagreements: int = 0
    top: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unreadable_reasons: Counter[str] = field(default_factory=Counter)
    not_read: int = 0
    courses_not_fully_read: int = 0
    not_read_reasons: Counter[str] = field(default_factory=Counter)
    # True when the source knows when each event was recorded (the store): "recording.late"
    # is then checked, not listed as not checkable.
    recording_times: bool = False

    def add_courses(self, courses: list[CourseRow]) -> None:
        for c in courses:
            self.courses += 1
            self.dispenses += c.dispenses
            for groups, key in (
                (self.by_policy, c.policy),
                (self.by_prescriber, c.prescriber_id),
                (self.by_month, c.start_month),
            ):
                group = groups.setdefault(key, _Group())
                group.courses += 1
                group.with_findings += int(c.findings > 0)
                group.findings += c.findings
            self.courses_not_fully_read += int(c.not_read > 0)
            if c.sql_supply_over is not None:
                self.sql_checked += 1
                self.sql_disagreements += int(c.sql_supply_over != c.engine_supply_over)

    def add_findings(self, findings: list[Finding]) -> None:
        for f in findings:
            self.findings += 1
            self.by_rule[f.rule_id] += 1
            self.by_severity[f.severity] += 1
            self.rule_sources.setdefault(f.rule_id, f.source_ids)
        self.top.extend(findings)
        self.top.sort(key=lambda f: (-severity_rank(f.severity), f.date, f.course_id, f.rule_id))
        del self.top[TOP_FINDINGS:]

    def add_not_read(self, items: list[NotRead]) -> None:
        for item in items:
            self.not_read += item.resources
            _count_reason(self.not_read_reasons, item)

    def add_unreadable(self, courses: list[NotRead]) -> None:
        for course in courses:
            self.unreadable += 1
            _count_reason(self.unreadable_reasons, course)

    def worst_severity(self) -> str | None:
        present = [s for s, n in self.by_severity.items() if n]
        return max(present, key=severity_rank) if present else None

    def as_json(self) -> dict[str, Any]:
        def groups(g: dict[str, _Group]) -> dict[str, Any]:
            return {key: g[key].as_json() for key in sorted(g)}

        return {
            "schema": "isotrack.audit-summary/1",
            "source": self.source,
            "engine": self.engine,
            "audit_date": self.audit_date,
            "courses": self.courses,
            "dispenses": self.dispenses,
            "unreadable_courses": self.unreadable,
            "unreadable_reasons": dict(self.unreadable_reasons.most_common()),
            "findings": self.findings,
            "by_severity": dict(sorted(self.by_severity.items())),
            "by_rule": dict(sorted(self.by_rule.items())),
            "rule_names": {rule: rule_name(rule) for rule in sorted(self.by_rule)},
            "rule_sources": dict(sorted(self.rule_sources.items())),
            "by_policy": groups(self.by_policy),
            "by_prescriber": groups(self.by_prescriber),
            "by_month": groups(self.by_month),
            "sql_precheck": {
                "rule": "supply_over_limit",
                "courses_checked": self.sql_checked,
                "disagreements_with_engine": self.sql_disagreements,
                "note": "SQL only pre-filters; where it disagrees the engine's finding stands.",
            },
            "not_checkable": {
                rule: why
                for rule, why in NOT_CHECKABLE.items()
                if not (self.recording_times and rule == "recording.late")
            },
            "not_read": {
                "resources": self.not_read,
                "courses": self.courses_not_fully_read,
                "by_reason": dict(self.not_read_reasons.most_common()),
                "note": (
                    "Resources of the source that could not be read, or were read only on the "
                    "assumption their reason states: what they would show was not checked."
                ),
            },
            "notes": self.notes,
        }


def _count_reason(counter: Counter[str], item: NotRead) -> None:
    reason = item.reason
    if reason not in counter and len(counter) >= NOT_READ_REASONS_KEPT:
        reason = OTHER_REASONS
    counter[reason] += item.resources
