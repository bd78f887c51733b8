"""Dispensing windows: from the test (iPLEDGE), the visit (iPLEDGE 2023), the prescription (EU/UK).

A window counts its opening day as day 1. After a missed window the engine says what to do
next, per edition: wait until a date (2023), or retest at once in a medical setting (2026).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from isotrack.domain.events import EventBase, PregnancyTestTaken
from isotrack.engines.programme.pregnancy_tests import window_end
from isotrack.engines.programme.report import NextStep, Role
from isotrack.engines.programme.requirements import (
    MET,
    NOT_APPLICABLE,
    UNMET,
    Outcome,
    _day,
    make,
    per_prescription,
)
from isotrack.engines.programme.situation import Situation
from isotrack.engines.programme.test_requirements import confirmation_tests, test_picture
from isotrack.knowledge.programme import ProgrammeRule, RuleKind

WINDOW = "dispense_window_days"


@dataclass(frozen=True)
class TestWindows:
    """The window-opening test for the prescription, and the windows missed before it."""

    opener: PregnancyTestTaken | None
    end: dt.date | None
    missed: list[PregnancyTestTaken] = field(default_factory=list)
    too_early: list[tuple[PregnancyTestTaken, dt.date]] = field(default_factory=list)
    wait_days: int | None = None


def test_windows(s: Situation) -> TestWindows:
    """Walk the candidate tests in order; under a wait rule, a test too soon after a missed
    first window opens nothing (the wait counts from the test that opened the missed window)."""
    if s.is_first:
        candidates = confirmation_tests(s)
        wait_rules = s.policy.rules(RuleKind.MISSED_FIRST_WINDOW, can_get_pregnant=True)
        wait = s.policy.count("missed_first_window_wait_days") if wait_rules else None
    else:
        candidates = [t for t in test_picture(s).counted if s.in_cycle(t.date)]
        wait = None
    opener: PregnancyTestTaken | None = None
    missed: list[PregnancyTestTaken] = []
    too_early: list[tuple[PregnancyTestTaken, dt.date]] = []
    for test in candidates:
        if opener is not None and test.date > window_end(s.policy, opener.date, WINDOW):
            if opener not in missed:
                missed.append(opener)
            if wait is not None and (test.date - opener.date).days < wait:
                too_early.append((test, opener.date + dt.timedelta(days=wait)))
                continue
        opener = test
    end = window_end(s.policy, opener.date, WINDOW) if opener is not None else None
    if opener is not None and end is not None and s.on > end and opener not in missed:
        missed.append(opener)
    return TestWindows(opener, end, missed, too_early, wait)


def check_window_from_test(s: Situation, rule: ProgrammeRule, req_id: str) -> Outcome:
    state = test_windows(s)
    params = (WINDOW,)
    if state.opener is None or state.end is None:
        message = "No negative pregnancy test opens a dispensing window for this prescription."
        return Outcome(
            make(s, rule, req_id, per_prescription(s, False), message, Role.PHARMACIST,
                 gates=True, parameters=params)
        )  # fmt: skip
    opener, end = state.opener, state.end
    window = (opener.date, end)
    if s.on <= end:
        day_number = (s.on - opener.date).days + 1
        message = (
            f"Window opened by test {opener.id} (specimen collected {_day(opener.date)}, day 1): "
            f"dispense by {_day(end)}; today is day {day_number} of {s.policy.count(WINDOW)}."
        )
        return Outcome(
            make(s, rule, req_id, per_prescription(s, True), message, Role.PHARMACIST,
                 gates=True, event_ids=[opener.id], window=window, parameters=params)
        )  # fmt: skip
    message = (
        f"The window opened by test {opener.id} ({_day(opener.date)}) closed on {_day(end)}; "
        "no dispense after that day."
    )
    return Outcome(
        make(s, rule, req_id, per_prescription(s, False), message, Role.PHARMACIST, gates=True,
             event_ids=[opener.id], window=window, parameters=params)
    )  # fmt: skip


def check_missed_first_window(s: Situation, rule: ProgrammeRule, req_id: str) -> Outcome:
    params = ("missed_first_window_wait_days",)
    if not s.is_first:
        return Outcome(
            make(s, rule, req_id, NOT_APPLICABLE, "Applies to the first prescription only.",
                 Role.PATIENT, gates=True, parameters=params)
        )  # fmt: skip
    state = test_windows(s)
    currently_open = state.end is not None and s.on <= state.end
    if not state.missed:
        return Outcome(
            make(s, rule, req_id, NOT_APPLICABLE, "No first window has been missed.",
                 Role.PATIENT, gates=True, parameters=params)
        )  # fmt: skip
    last_missed = state.missed[-1]
    if currently_open and state.opener is not None and state.opener is not last_missed:
        message = (
            f"The window of test {last_missed.id} was missed; test {state.opener.id} of "
            f"{_day(state.opener.date)} opened a new one."
        )
        return Outcome(
            make(s, rule, req_id, MET, message, Role.PATIENT, gates=True,
                 event_ids=[last_missed.id, state.opener.id], parameters=params)
        )  # fmt: skip
    wait = state.wait_days or 0
    not_before = max(s.on, last_missed.date + dt.timedelta(days=wait))
    early = "".join(
        f" Test {test.id} of {_day(test.date)} came too early to open a window (needed "
        f"{_day(allowed)} or later)."
        for test, allowed in state.too_early
    )
    if wait > 0:
        message = (
            f"First window missed (opened by test {last_missed.id} on {_day(last_missed.date)}). "
            f"Under this edition the next test must be taken on or after "
            f"{_day(last_missed.date + dt.timedelta(days=wait))} ({wait} days after that test); "
            f"its negative result opens a new window.{early}"
        )
        what = f"Wait, then take a new pregnancy test on or after {_day(not_before)}."
    else:
        message = (
            f"First window missed (opened by test {last_missed.id} on {_day(last_missed.date)}). "
            "No waiting period under this edition: retest now, in a medical setting because no "
            "dose has been taken; the new negative test opens a new window."
        )
        what = "Retest now in a medical setting (office, clinic or laboratory)."
    step = NextStep(who=Role.PATIENT, what=what, not_before=not_before, requirement_id=req_id)
    return Outcome(
        make(s, rule, req_id, UNMET, message, Role.PATIENT, gates=True,
             event_ids=[last_missed.id], due_date=not_before, parameters=params),
        [step],
    )  # fmt: skip


def check_missed_later_window(s: Situation, rule: ProgrammeRule, req_id: str) -> Outcome:
    if s.is_first:
        return Outcome(
            make(s, rule, req_id, NOT_APPLICABLE, "Applies from the second prescription on.",
                 Role.PATIENT, gates=True)
        )  # fmt: skip
    state = test_windows(s)
    if state.end is None or state.opener is None or s.on <= state.end or not s.pending:
        message = "No window missed for this prescription."
        if state.missed and state.opener is not None:
            message = f"An earlier window was missed; test {state.opener.id} opened a new one."
        return Outcome(
            make(s, rule, req_id, NOT_APPLICABLE if not state.missed else MET, message,
                 Role.PATIENT, gates=True)
        )  # fmt: skip
    message = (
        f"The window of test {state.opener.id} closed on {_day(state.end)}. A new negative "
        "pregnancy test opens a new window; there is no waiting period."
    )
    step = NextStep(
        who=Role.PATIENT, what="Take a new pregnancy test now.", not_before=s.on,
        requirement_id=req_id,
    )  # fmt: skip
    return Outcome(
        make(s, rule, req_id, UNMET, message, Role.PATIENT, gates=True,
             event_ids=[state.opener.id], due_date=s.on),
        [step],
    )  # fmt: skip


def _office_visit(s: Situation) -> tuple[EventBase | None, str]:
    """The office visit of this cycle. In iPLEDGE its date is the day the prescriber confirms
    counselling at the visit, so without a recorded ``visit`` the counselling confirmation (or
    else the prescription written at it) stands in, and the output says so."""
    visits = [v for v in s.record.visits if s.in_cycle(v.date)]
    if visits:
        return visits[-1], ""
    counselled = [c for c in s.record.counselling if s.in_cycle(c.date) and c.date <= s.on]
    if counselled:
        return counselled[-1], " (no visit recorded: the counselling confirmation is taken as it)"
    if s.target is not None and s.in_cycle(s.target.date):
        return s.target, " (no visit recorded: the prescription's date is taken as it)"
    return None, ""


def check_window_from_visit(s: Situation, rule: ProgrammeRule, req_id: str) -> Outcome:
    params = ("cngp_dispense_window_days",)
    visit, stands_in = _office_visit(s)
    if visit is None:
        return Outcome(
            make(s, rule, req_id, per_prescription(s, False),
                 "No office visit on record since the previous dispense: the window runs from "
                 "the visit, so the prescriber records it.", Role.PRESCRIBER, gates=True,
                 parameters=params)
        )  # fmt: skip
    end = window_end(s.policy, visit.date, "cngp_dispense_window_days")
    window = (visit.date, end)
    if s.on <= end:
        message = (
            f"Window from the visit of {_day(visit.date)}{stands_in}: dispense by {_day(end)}."
        )
        return Outcome(
            make(s, rule, req_id, per_prescription(s, True), message, Role.PHARMACIST,
                 gates=True, event_ids=[visit.id], window=window, parameters=params)
        )  # fmt: skip
    message = (
        f"The window from the visit of {_day(visit.date)} closed on {_day(end)}: a new visit "
        "with counselling confirmation opens a new window."
    )
    step = NextStep(who=Role.PRESCRIBER, what="See the patient again and confirm counselling.",
                    not_before=s.on, requirement_id=req_id)  # fmt: skip
    return Outcome(
        make(s, rule, req_id, per_prescription(s, False), message, Role.PHARMACIST, gates=True,
             event_ids=[visit.id], window=window, parameters=params),
        [step],
    )  # fmt: skip


def check_window_from_prescription(s: Situation, rule: ProgrammeRule, req_id: str) -> Outcome:
    params = (WINDOW,)
    target = s.target
    if target is None or not s.pending:
        return Outcome(
            make(s, rule, req_id, NOT_APPLICABLE, "No prescription waiting.", Role.PHARMACIST,
                 gates=True, parameters=params)
        )  # fmt: skip
    end = window_end(s.policy, target.date, WINDOW)
    window = (target.date, end)
    if s.on <= end:
        message = f"{target.id} of {_day(target.date)} may be dispensed until {_day(end)}."
        return Outcome(
            make(s, rule, req_id, MET, message, Role.PHARMACIST, gates=True,
                 event_ids=[target.id], window=window, parameters=params)
        )  # fmt: skip
    message = (
        f"{target.id} of {_day(target.date)} expired on {_day(end)}: it cannot be dispensed; "
        "the prescriber writes a new prescription (with a new test where one is required)."
    )
    step = NextStep(who=Role.PRESCRIBER, what="Write a new prescription.", not_before=s.on,
                    requirement_id=req_id)  # fmt: skip
    return Outcome(
        make(s, rule, req_id, UNMET, message, Role.PHARMACIST, gates=True,
             event_ids=[target.id], window=window, parameters=params),
        [step],
    )  # fmt: skip


def check_authorization(s: Situation, rule: ProgrammeRule, req_id: str) -> Outcome:
    enrolled = s.record.enrolments
    if enrolled:
        message = (
            f"No pick-up window for this category; the authorization rests on the enrolment "
            f"of {enrolled[-1].date.isoformat()}. Prescriber certification is checked by the "
            "programme, not here."
        )
    else:
        message = "No enrolment on record, so no authorization can be given."
    return Outcome(
        make(s, rule, req_id, per_prescription(s, bool(enrolled)), message, Role.PHARMACIST,
             gates=True, event_ids=[e.id for e in enrolled[-1:]])
    )  # fmt: skip
