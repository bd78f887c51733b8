"""The pregnancy-test checks: screening, confirmation, before the first and each prescription,
end of course and after treatment (see :mod:`requirements` for what each status means)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from isotrack.domain.events import PregnancyTestTaken
from isotrack.engines.course_prefix import per_event, shared_answers
from isotrack.engines.programme.contraception import coverage, covered_since
from isotrack.engines.programme.pregnancy_tests import TestVerdict, verdicts
from isotrack.engines.programme.report import NextStep, Role
from isotrack.engines.programme.requirements import (
    DUE,
    MET,
    NOT_APPLICABLE,
    UNMET,
    Outcome,
    _day,
    _ids,
    _rejections,
    before_first_dispense,
    make,
    per_prescription,
)
from isotrack.engines.programme.situation import Situation
from isotrack.knowledge.programme import ProgrammeRule, RuleKind


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
    records = tuple(s.record.contraception)
    # The same records judge the same stretch alike on every prefix the audit judges.
    return per_event(
        shared_answers(s.record.timeline), s.policy.knowledge, "programme.covered", records,
        lambda: coverage(s.policy, scheme, list(records), start, day).covered,
        extra=(s.policy.id, scheme.id, start, day),
    )  # fmt: skip


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
        before_first_dispense(s, rule, req_id, found is not None, message, Role.PRESCRIBER,
                              event_ids=_ids([found] if found else []))
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
        before_first_dispense(s, rule, req_id, False, message, Role.PATIENT, due_date=earliest,
                              parameters=("confirmation_gap_days", "contraception_before_test")),
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
        before_first_dispense(s, rule, req_id, bool(counted), message, Role.PATIENT,
                              event_ids=_ids(counted[-1:]), parameters=params)
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
