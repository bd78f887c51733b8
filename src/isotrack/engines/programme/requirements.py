"""One check per rule kind: each turns a rule and the course into a :class:`Requirement`.

Statuses: ``met``; ``unmet`` when it is needed now (a prescription waits, or its time has
passed); ``due`` when it is still ahead; ``not_applicable`` when the rule does not concern this
patient, this moment or this edition; ``unknown`` when a fact needed to judge it was not
recorded (it blocks like ``unmet``). Nothing absent, invalid or voided ever counts as met.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from isotrack.domain.events import PrescriptionWritten, TestResult
from isotrack.engines.programme.contraception import coverage
from isotrack.engines.programme.pregnancy_tests import TestVerdict
from isotrack.engines.programme.report import (
    NextStep,
    Requirement,
    RequirementStatus,
    Role,
)
from isotrack.engines.programme.situation import Situation
from isotrack.knowledge.programme import ProgrammeRule

MET = RequirementStatus.MET
UNMET = RequirementStatus.UNMET
DUE = RequirementStatus.DUE
NOT_APPLICABLE = RequirementStatus.NOT_APPLICABLE
UNKNOWN = RequirementStatus.UNKNOWN


@dataclass(frozen=True)
class Outcome:
    requirement: Requirement
    next_steps: list[NextStep] = field(default_factory=list)


def _day(day: dt.date | None) -> str:
    return day.isoformat() if day else "?"


def _ids(events: Iterable[object]) -> list[str]:
    return [str(getattr(e, "id")) for e in events]  # noqa: B009 (any event)


def make(
    s: Situation,
    rule: ProgrammeRule,
    req_id: str,
    status: RequirementStatus,
    message: str,
    who: Role,
    *,
    gates: bool,
    event_ids: list[str] | None = None,
    due_date: dt.date | None = None,
    window: tuple[dt.date, dt.date] | None = None,
    parameters: tuple[str, ...] = (),
) -> Requirement:
    return Requirement(
        id=req_id,
        title=rule.title,
        status=status,
        message=message,
        who=who,
        due_date=due_date,
        window_start=window[0] if window else None,
        window_end=window[1] if window else None,
        event_ids=event_ids or [],
        rule_id=rule.id,
        source_ids=list(rule.source_ids),
        gates_dispense=gates,
        facts=s.policy.used(*parameters),
    )


def per_prescription(s: Situation, satisfied: bool) -> RequirementStatus:
    """Status of a requirement every prescription must meet."""
    if s.course_ended and not s.pending:
        return NOT_APPLICABLE
    if satisfied:
        return MET
    return UNMET if s.pending else DUE


def at_start(s: Situation, satisfied: bool) -> RequirementStatus:
    """Status of a requirement met once, before the first prescription is dispensed."""
    if satisfied:
        return MET
    if s.is_first and not s.pending:
        return DUE
    return UNMET


def before_first_dispense(
    s: Situation,
    rule: ProgrammeRule,
    req_id: str,
    satisfied: bool,
    message: str,
    who: Role,
    *,
    event_ids: list[str] | None = None,
    due_date: dt.date | None = None,
    parameters: tuple[str, ...] = (),
) -> Requirement:
    """A condition of the first dispense only (screening and confirmation tests, the test
    before the first prescription, a second prescriber's agreement).

    The one place that says what such a requirement is once treatment began: met if it was,
    otherwise it no longer applies, with a note naming the day treatment began. It then gates
    no fill, has no due date, and so is neither overdue on the today page nor asked for in the
    calendar; the checklist and the dispense decision show the note.
    """
    if satisfied or s.is_first or not s.record.dispenses:
        return make(s, rule, req_id, at_start(s, satisfied), message, who, gates=s.is_first,
                    event_ids=event_ids, due_date=due_date, parameters=parameters)  # fmt: skip
    began = s.record.dispenses[0].date
    note = (
        f"No longer applies: treatment began on {_day(began)} and this was a condition of the "
        "first dispense only. It is not met on record."
    )
    found = make(s, rule, req_id, NOT_APPLICABLE, note, who, gates=False, event_ids=event_ids,
                 parameters=parameters)  # fmt: skip
    return found.model_copy(update={"no_longer_applies_since": began})


def _rejections(found: list[TestVerdict]) -> str:
    rejected = [
        v.why_not for v in found if not v.counts and v.test.result is not TestResult.POSITIVE
    ]
    return f" Not counted: {'; '.join(rejected)}." if rejected else ""


# --- identity, enrolment, counselling ---------------------------------------------------------


def check_category(s: Situation, rule: ProgrammeRule, req_id: str) -> Outcome:
    can, event_ids = s.record.category_source()
    words = "can get pregnant" if can else "cannot get pregnant"
    origin = f"set by {', '.join(event_ids)}" if event_ids else "from the patient record"
    return Outcome(
        make(s, rule, req_id, MET, f"Patient {words} ({origin}).", Role.PRESCRIBER, gates=True,
             event_ids=event_ids)
    )  # fmt: skip


def check_enrolment(s: Situation, rule: ProgrammeRule, req_id: str) -> Outcome:
    found = s.record.enrolments
    if found:
        message = f"Enrolled / form signed on {_day(found[-1].date)}."
        signed = found[-1]
        if signed.risk_form_signed_on is not None:
            by = f" by {signed.risk_form_signed_by}" if signed.risk_form_signed_by else ""
            message += (
                f" Acknowledgement of risk form signed on {_day(signed.risk_form_signed_on)}{by}."
            )
    else:
        message = (
            "No enrolment or signed acknowledgement form on record: the prescriber records it."
        )
    return Outcome(
        make(s, rule, req_id, at_start(s, bool(found)), message, Role.PRESCRIBER, gates=True,
             event_ids=_ids(found[-1:]))
    )  # fmt: skip


def check_counselling_at_start(s: Situation, rule: ProgrammeRule, req_id: str) -> Outcome:
    found = s.record.counselling
    message = (
        f"Counselled on {_day(found[0].date)}."
        if found
        else "No counselling on record: the prescriber counsels and records it before prescribing."
    )
    return Outcome(
        make(s, rule, req_id, at_start(s, bool(found)), message, Role.PRESCRIBER, gates=True,
             event_ids=_ids(found[:1]))
    )  # fmt: skip


def check_counselling_each(s: Situation, rule: ProgrammeRule, req_id: str) -> Outcome:
    found = [c for c in s.record.counselling if s.in_cycle(c.date)]
    message = (
        f"Counselling confirmed on {_day(found[-1].date)} for this prescription."
        if found
        else "No counselling confirmed since the previous dispense: the prescriber confirms it."
    )
    return Outcome(
        make(s, rule, req_id, per_prescription(s, bool(found)), message, Role.PRESCRIBER,
             gates=True, event_ids=_ids(found[-1:]), due_date=s.next_supply_runs_out)
    )  # fmt: skip


def check_comprehension(s: Situation, rule: ProgrammeRule, req_id: str) -> Outcome:
    cycle = [c for c in s.record.comprehension_checks if s.in_cycle(c.date)]
    passed = [c for c in cycle if c.passed]
    if passed:
        message = f"Comprehension questions answered correctly on {_day(passed[-1].date)}."
    elif cycle:
        message = "The comprehension check since the previous dispense was failed: answer again."
    else:
        message = "No comprehension check since the previous dispense: the patient answers them."
    return Outcome(
        make(s, rule, req_id, per_prescription(s, bool(passed)), message, Role.PATIENT,
             gates=True, event_ids=_ids(passed[-1:]), due_date=s.next_supply_runs_out)
    )  # fmt: skip


# --- pregnancy ------------------------------------------------------------------------------


def check_no_pregnancy(s: Situation, rule: ProgrammeRule, req_id: str) -> Outcome:
    positives: list[object] = [t for t in s.record.tests if t.result is TestResult.POSITIVE]
    positives += s.record.pregnancy_reports
    if not positives:
        return Outcome(
            make(s, rule, req_id, MET, "No positive test or reported pregnancy on record.",
                 Role.PRESCRIBER, gates=True)
        )  # fmt: skip
    first = positives[0]
    message = (
        f"Pregnancy recorded ({getattr(first, 'id')}, {_day(getattr(first, 'date'))}): "  # noqa: B009
        "stop isotretinoin now; no dispense. Refer to a specialist in reproductive toxicity "
        "and report to the pregnancy registry."
    )
    steps = [
        NextStep(who=Role.PATIENT, what="Stop isotretinoin now and contact the prescriber.",
                 not_before=s.on, requirement_id=req_id),
        NextStep(who=Role.PRESCRIBER, what="Refer to an obstetrician experienced in reproductive "
                 "toxicity and report the pregnancy to the programme registry.",
                 not_before=s.on, requirement_id=req_id),
    ]  # fmt: skip
    return Outcome(
        make(s, rule, req_id, UNMET, message, Role.PRESCRIBER, gates=True,
             event_ids=_ids(positives)),
        steps,
    )  # fmt: skip


# --- contraception ----------------------------------------------------------------------------


def check_contraception(s: Situation, rule: ProgrammeRule, req_id: str) -> Outcome:
    assert rule.contraception_scheme is not None  # enforced by the record's validator
    scheme = s.policy.scheme(rule.contraception_scheme)
    first_dose = s.record.first_dose
    reference = first_dose if first_dose is not None and first_dose <= s.on else s.on
    start = s.policy.before(reference, "contraception_before_first_dose")
    if s.previous_dispense is not None:
        start = max(start, s.previous_dispense.date)
    found = coverage(s.policy, scheme, s.record.contraception, start, s.on)
    gap = found.first_gap()
    if gap is None:
        latest = found.stretches[-1].verdict.explanation
        message = f"Covered from {_day(start)} to {_day(s.on)} ({latest})."
    else:
        message = (
            f"Not covered from {_day(gap.start)} to {_day(gap.end)}: {gap.verdict.explanation}. "
            f"Required from {s.policy.period('contraception_before_first_dose')} before the "
            "first dose and throughout treatment."
        )
    return Outcome(
        make(s, rule, req_id, per_prescription(s, found.covered), message, Role.PATIENT,
             gates=True, event_ids=found.event_ids, window=(start, s.on),
             parameters=("contraception_before_first_dose",))
    )  # fmt: skip


def check_contraception_after(s: Situation, rule: ProgrammeRule, req_id: str) -> Outcome:
    assert rule.contraception_scheme is not None
    params = ("contraception_after_last_dose",)
    period = s.policy.period("contraception_after_last_dose")
    last = s.record.last_dose
    if last is None:
        return Outcome(
            make(s, rule, req_id, DUE, f"Continue contraception {period} after the last dose.",
                 Role.PATIENT, gates=False, parameters=params)
        )  # fmt: skip
    scheme = s.policy.scheme(rule.contraception_scheme)
    until = s.policy.after(last, "contraception_after_last_dose")
    found = coverage(s.policy, scheme, s.record.contraception, last, min(s.on, until))
    gap = found.first_gap()
    if gap is not None:
        status = UNMET
        message = (
            f"Not covered from {_day(gap.start)} to {_day(gap.end)}: {gap.verdict.explanation}."
        )
    elif s.on < until:
        status, message = DUE, f"Continue contraception until {_day(until)}."
    else:
        status, message = MET, f"Covered until {_day(until)}."
    return Outcome(
        make(s, rule, req_id, status, message, Role.PATIENT, gates=False,
             event_ids=found.event_ids, due_date=until, parameters=params)
    )  # fmt: skip


# --- prescription and dispensing --------------------------------------------------------------


def _prescription_limit(
    s: Situation,
    rule: ProgrammeRule,
    req_id: str,
    parameter: str,
    amount: Callable[[PrescriptionWritten], int],
    describe: Callable[[PrescriptionWritten, int, bool], str],
) -> Outcome:
    """A limit the waiting prescription must keep (days' supply, refills): met or rewritten."""
    limit = s.policy.count(parameter)
    target = s.target
    if target is None or not s.pending:
        return Outcome(
            make(s, rule, req_id, NOT_APPLICABLE, "No prescription waiting.", Role.PRESCRIBER,
                 gates=True, parameters=(parameter,))
        )  # fmt: skip
    ok = amount(target) <= limit
    return Outcome(
        make(s, rule, req_id, MET if ok else UNMET, describe(target, limit, ok), Role.PRESCRIBER,
             gates=True, event_ids=[target.id], parameters=(parameter,))
    )  # fmt: skip


def _supply_text(target: PrescriptionWritten, limit: int, ok: bool) -> str:
    if ok:
        return f"{target.id} is for {target.days_supply} days (at most {limit})."
    return (
        f"{target.id} is for {target.days_supply} days; at most {limit} days may be "
        "prescribed: the prescriber rewrites it."
    )


def _refills_text(target: PrescriptionWritten, limit: int, ok: bool) -> str:
    if ok:
        return f"{target.id} has no refills."
    return (
        f"{target.id} allows {target.refills} refills; refills are not allowed: the "
        "prescriber rewrites it without refills."
    )


def check_max_supply(s: Situation, rule: ProgrammeRule, req_id: str) -> Outcome:
    return _prescription_limit(
        s, rule, req_id, "max_days_supply", lambda rx: rx.days_supply, _supply_text
    )


def check_no_refills(s: Situation, rule: ProgrammeRule, req_id: str) -> Outcome:
    return _prescription_limit(s, rule, req_id, "max_refills", lambda rx: rx.refills, _refills_text)


Check = Callable[[Situation, ProgrammeRule, str], Outcome]
