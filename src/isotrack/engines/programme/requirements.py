"""One check per rule kind: each turns a rule and the course into a :class:`Requirement`.

Statuses: ``met``; ``unmet`` when it is needed now (a prescription waits, or its time has
passed); ``due`` when it is still ahead; ``not_applicable`` when the rule does not concern this
patient, this moment or this edition. Nothing absent, invalid or voided ever counts as met.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from isotrack.domain.events import PregnancyTestTaken, PrescriptionWritten, TestResult
from isotrack.engines.programme.contraception import coverage, covered_since
from isotrack.engines.programme.pregnancy_tests import TestVerdict, verdicts
from isotrack.engines.programme.report import (
    NextStep,
    Requirement,
    RequirementStatus,
    Role,
)
from isotrack.engines.programme.situation import Situation
from isotrack.knowledge.programme import ProgrammeRule, RuleKind

MET = RequirementStatus.MET
UNMET = RequirementStatus.UNMET
DUE = RequirementStatus.DUE
NOT_APPLICABLE = RequirementStatus.NOT_APPLICABLE


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


@dataclass(frozen=True)
class TestPicture:
    """The counted tests of a course and the windows they open for the prescription."""

    counted: list[PregnancyTestTaken]
    all_verdicts: list[TestVerdict]


def test_picture(s: Situation) -> TestPicture:
    picture = s.memo.get("test_picture")
    if not isinstance(picture, TestPicture):
        found = verdicts(s.policy, s.record)
        picture = s.memo["test_picture"] = TestPicture([v.test for v in found if v.counts], found)
    return picture


def _contraception_ok_before(s: Situation, day: dt.date, parameter: str) -> bool:
    rules = s.policy.rules(RuleKind.CONTRACEPTION, can_get_pregnant=True)
    if not rules or rules[0].contraception_scheme is None:
        return True
    scheme = s.policy.scheme(rules[0].contraception_scheme)
    start = s.policy.before(day, parameter)
    return coverage(s.policy, scheme, s.record.contraception, start, day).covered


def screening_test(s: Situation) -> PregnancyTestTaken | None:
    pre = [t for t in test_picture(s).counted if s.record.before_first_dose(t.date)]
    return pre[0] if pre else None


def confirmation_tests(s: Situation) -> list[PregnancyTestTaken]:
    """Tests that qualify as a confirmation test (US-PT-03), oldest first."""
    found = s.memo.get("confirmation_tests")
    if not isinstance(found, list):
        found = s.memo["confirmation_tests"] = _confirmation_tests(s)
    return found


def _confirmation_tests(s: Situation) -> list[PregnancyTestTaken]:
    screening = screening_test(s)
    if screening is None:
        return []
    gap = s.policy.count("confirmation_gap_days")
    return [
        t
        for t in test_picture(s).counted
        if s.record.before_first_dose(t.date)
        and (t.date - screening.date).days >= gap
        and _contraception_ok_before(s, t.date, "contraception_before_test")
    ]


def check_screening(s: Situation, rule: ProgrammeRule, req_id: str) -> Outcome:
    found = screening_test(s)
    picture = test_picture(s)
    message = (
        f"Screening test {found.id} negative on {_day(found.date)}."
        if found
        else "No negative screening test on record: the prescriber orders one now."
        + _rejections(picture.all_verdicts)
    )
    return Outcome(
        make(s, rule, req_id, at_start(s, found is not None), message, Role.PRESCRIBER,
             gates=s.is_first, event_ids=_ids([found] if found else []))
    )  # fmt: skip


def _earliest_confirmation(s: Situation) -> dt.date | None:
    screening = screening_test(s)
    if screening is None:
        return None
    earliest = screening.date + dt.timedelta(days=s.policy.count("confirmation_gap_days"))
    rules = s.policy.rules(RuleKind.CONTRACEPTION, can_get_pregnant=True)
    if rules and rules[0].contraception_scheme:
        scheme = s.policy.scheme(rules[0].contraception_scheme)
        since = covered_since(s.policy, scheme, s.record.contraception, s.on)
        if since is None:
            return None
        earliest = max(earliest, s.policy.after(since, "contraception_before_test"))
    return earliest


def check_confirmation(s: Situation, rule: ProgrammeRule, req_id: str) -> Outcome:
    found = confirmation_tests(s)
    if found:
        message = f"Confirmation test {found[-1].id} negative on {_day(found[-1].date)}."
        return Outcome(
            make(s, rule, req_id, MET, message, Role.PATIENT, gates=s.is_first,
                 event_ids=_ids(found[-1:]),
                 parameters=("confirmation_gap_days", "contraception_before_test"))
        )  # fmt: skip
    earliest = _earliest_confirmation(s)
    gap = s.policy.period("confirmation_gap_days")
    months = s.policy.period("contraception_before_test")
    if screening_test(s) is None:
        message = f"No confirmation test: it follows a negative screening test by {gap} or more."
    elif earliest is None:
        message = (
            f"No confirmation test counts: it must follow {months} of acceptable contraception, "
            "and acceptable contraception is not on record now."
        )
    else:
        message = (
            f"No qualifying confirmation test: take it in a medical setting on or after "
            f"{_day(earliest)} ({gap} after screening and {months} on contraception)."
        )
    message += _rejections(test_picture(s).all_verdicts)
    steps = (
        [NextStep(who=Role.PATIENT, what="Take the confirmation pregnancy test.",
                  not_before=max(earliest, s.on), requirement_id=req_id)]
        if s.is_first and earliest is not None
        else []
    )  # fmt: skip
    return Outcome(
        make(s, rule, req_id, at_start(s, False), message, Role.PATIENT, gates=s.is_first,
             due_date=earliest, parameters=("confirmation_gap_days", "contraception_before_test")),
        steps,
    )  # fmt: skip


def _within_days_before(s: Situation, test: PregnancyTestTaken, anchor: dt.date) -> bool:
    lead = s.policy.count("test_before_prescription_days")
    return anchor - dt.timedelta(days=lead) <= test.date <= anchor


def check_test_before_first(s: Situation, rule: ProgrammeRule, req_id: str) -> Outcome:
    anchor = s.target.date if (s.is_first and s.target is not None) else None
    counted = [
        t
        for t in test_picture(s).counted
        if s.record.before_first_dose(t.date)
        and _contraception_ok_before(s, t.date, "contraception_before_test")
    ]
    if anchor is not None:
        counted = [t for t in counted if _within_days_before(s, t, anchor)]
    elif not s.is_first:
        counted = counted[-1:]
    params = ("contraception_before_test", "test_before_prescription_days")
    lead = s.policy.period("test_before_prescription_days")
    months = s.policy.period("contraception_before_test")
    if counted:
        message = f"Pre-treatment test {counted[-1].id} negative on {_day(counted[-1].date)}."
    else:
        message = (
            f"No qualifying pre-treatment test: a negative, medically supervised test after "
            f"{months} of contraception, on the prescription date or up to {lead} before it."
            + _rejections(test_picture(s).all_verdicts)
        )
    return Outcome(
        make(s, rule, req_id, at_start(s, bool(counted)), message, Role.PATIENT,
             gates=s.is_first, event_ids=_ids(counted[-1:]), parameters=params)
    )  # fmt: skip


def check_test_each(s: Situation, rule: ProgrammeRule, req_id: str) -> Outcome:
    if s.is_first:
        return Outcome(
            make(s, rule, req_id, NOT_APPLICABLE,
                 "The first prescription rests on the pre-treatment (confirmation) test.",
                 Role.PATIENT, gates=True)
        )  # fmt: skip
    counted = [t for t in test_picture(s).counted if s.in_cycle(t.date)]
    if "test_before_prescription_days" in rule.parameters and s.target is not None:
        target_date = s.target.date
        counted = [t for t in counted if _within_days_before(s, t, target_date)]
    if counted:
        message = f"Test {counted[-1].id} negative on {_day(counted[-1].date)}."
    else:
        message = (
            "No negative pregnancy test since the previous dispense that counts for this "
            "prescription." + _rejections(test_picture(s).all_verdicts)
        )
    return Outcome(
        make(s, rule, req_id, per_prescription(s, bool(counted)), message, Role.PATIENT,
             gates=True, event_ids=_ids(counted[-1:]), due_date=s.next_supply_runs_out,
             parameters=tuple(rule.parameters))
    )  # fmt: skip


def check_end_of_course(s: Situation, rule: ProgrammeRule, req_id: str) -> Outcome:
    last = s.record.last_dose
    if last is None:
        return Outcome(
            make(s, rule, req_id, DUE, "Due at the end of the course (after the last dispense).",
                 Role.PATIENT, gates=False)
        )  # fmt: skip
    after_day = s.record.dispenses[-1].date if s.record.dispenses else last
    found = [t for t in test_picture(s).counted if t.date > after_day]
    message = (
        f"End-of-course test {found[0].id} negative on {_day(found[0].date)}."
        if found
        else f"No negative test since the last dispense ({_day(after_day)}): test now."
    )
    return Outcome(
        make(s, rule, req_id, MET if found else UNMET, message, Role.PATIENT, gates=False,
             event_ids=_ids(found[:1]), due_date=last)
    )  # fmt: skip


def check_post_treatment(s: Situation, rule: ProgrammeRule, req_id: str) -> Outcome:
    params = ("post_treatment_test_delay",)
    delay = s.policy.period("post_treatment_test_delay")
    last = s.record.last_dose
    if last is None:
        return Outcome(
            make(s, rule, req_id, DUE, f"Due {delay} after the last dose.", Role.PATIENT,
                 gates=False, parameters=params)
        )  # fmt: skip
    due = s.policy.after(last, "post_treatment_test_delay")
    found = [t for t in test_picture(s).counted if t.date >= due]
    if found:
        status, message = (
            MET,
            f"Post-treatment test {found[0].id} negative on {_day(found[0].date)}.",
        )
    elif s.on < due:
        status, message = DUE, f"Take the post-treatment test on or after {_day(due)}."
    else:
        status = UNMET
        message = f"Post-treatment test was due on {_day(due)} ({delay} after the last dose)."
    return Outcome(
        make(s, rule, req_id, status, message, Role.PATIENT, gates=False,
             event_ids=_ids(found[:1]), due_date=due, parameters=params)
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
