"""Whether the recorded contraception meets a programme's scheme, day by day.

A contraception record describes the methods in use from its ``effective_from`` until the
next record takes effect. A stretch of days with no record is a gap: unknown is never covered.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from isotrack.domain.events import ContraceptionRecorded
from isotrack.engines.programme.policy import ActivePolicy
from isotrack.knowledge.programme import ContraceptionOption, ContraceptionScheme

ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class MethodsVerdict:
    acceptable: bool
    explanation: str


@dataclass(frozen=True)
class Stretch:
    """Days ``start``..``end`` (inclusive) governed by one record, or by none."""

    start: dt.date
    end: dt.date
    record: ContraceptionRecorded | None
    verdict: MethodsVerdict


@dataclass(frozen=True)
class Coverage:
    covered: bool
    stretches: list[Stretch]

    @property
    def event_ids(self) -> list[str]:
        return [s.record.id for s in self.stretches if s.record is not None]

    def first_gap(self) -> Stretch | None:
        return next((s for s in self.stretches if not s.verdict.acceptable), None)


def option_text(policy: ActivePolicy, option: ContraceptionOption) -> str:
    """The option's title with what this policy asks of it ("...: 2 user-dependent methods,
    1 barrier method"), so the reading a policy chose shows in every explanation."""
    counted = [
        (policy.count(need.count_parameter), need.label) for need in option.needs if need.label
    ]
    parts = [f"{n} {label}{'' if n == 1 else 's'}" for n, label in counted if n > 0]
    return f"{option.title} ({', '.join(parts)})" if parts else option.title


def judge_methods(
    policy: ActivePolicy, scheme: ContraceptionScheme, record: ContraceptionRecorded | None
) -> MethodsVerdict:
    """Does one record meet the scheme? The explanation names what is missing."""
    if record is None:
        return MethodsVerdict(False, "no contraception recorded")
    if record.abstinence:
        if scheme.abstinence_accepted:
            return MethodsVerdict(True, "committed abstinence")
        return MethodsVerdict(False, f"abstinence is not accepted by {scheme.id}")
    codes = [str(m) for m in record.methods]
    refused = [c for c in codes if scheme.class_of(c) is None]
    classes = [scheme.class_of(c) for c in codes]
    for option in scheme.options:
        if all(
            sum(1 for c in classes if c in need.classes) >= policy.count(need.count_parameter)
            for need in option.needs
        ):
            return MethodsVerdict(True, f"{', '.join(codes)}: {option_text(policy, option)}")
    listed = ", ".join(codes) if codes else "no method"
    wanted = "; or ".join(option_text(policy, o) for o in scheme.options)
    if scheme.abstinence_accepted:
        wanted += "; or committed abstinence"
    not_ok = f" ({', '.join(refused)} not acceptable)" if refused else ""
    return MethodsVerdict(False, f"{listed}{not_ok} does not meet: {wanted}")


def coverage(
    policy: ActivePolicy,
    scheme: ContraceptionScheme,
    records: list[ContraceptionRecorded],
    start: dt.date,
    end: dt.date,
) -> Coverage:
    """Split ``start``..``end`` into stretches by record and judge each one."""
    stretches: list[Stretch] = []
    in_force = [r for r in records if r.effective_from <= start]
    current: ContraceptionRecorded | None = in_force[-1] if in_force else None
    cursor = start
    later = [r for r in records if start < r.effective_from <= end]
    for record in later:
        if record.effective_from > cursor:
            stretch_end = record.effective_from - ONE_DAY
            stretches.append(
                Stretch(cursor, stretch_end, current, judge_methods(policy, scheme, current))
            )
            cursor = record.effective_from
        current = record
    stretches.append(Stretch(cursor, end, current, judge_methods(policy, scheme, current)))
    return Coverage(all(s.verdict.acceptable for s in stretches), stretches)


def covered_since(
    policy: ActivePolicy,
    scheme: ContraceptionScheme,
    records: list[ContraceptionRecorded],
    day: dt.date,
) -> dt.date | None:
    """First day of the unbroken acceptable stretch that includes ``day`` (None: not covered)."""
    since: dt.date | None = None
    for record in records:
        if record.effective_from > day:
            break
        if judge_methods(policy, scheme, record).acceptable:
            if since is None:
                since = record.effective_from
        else:
            since = None
    return since
