"""Pregnancy tests before repeat prescriptions where programmes differ (issue 11, item 1).

- UK (BNF; NHS formularies): a medically supervised test before each repeat prescription,
  waived only by a recorded, dated prescriber decision that there is no risk of pregnancy (an
  ``assessment`` of kind ``no_pregnancy_risk`` in the current prescription cycle).
- EU base policy: the SmPC leaves monthly testing to local practice; isotrack warns, without
  blocking, when no test has been done since the last dispense. A clinic override (rule
  EU-PT-03) makes the test a requirement, and the warning then steps aside.
"""

from __future__ import annotations

from dataclasses import replace

from isotrack.engines.programme.report import NextStep, Role
from isotrack.engines.programme.requirements import (
    DUE,
    MET,
    NOT_APPLICABLE,
    UNKNOWN,
    UNMET,
    Check,
    Outcome,
    _day,
    make,
    per_prescription,
)
from isotrack.engines.programme.situation import Situation
from isotrack.engines.programme.test_requirements import check_test_each, test_picture
from isotrack.knowledge.programme import ProgrammeRule, RuleKind


def check_test_each_or_waiver(s: Situation, rule: ProgrammeRule, req_id: str) -> Outcome:
    """The test before each prescription; under a rule that allows it, a dated prescriber
    decision in this cycle that there is no risk of pregnancy stands in for the test."""
    tested = check_test_each(s, rule, req_id)
    waiver_kind = rule.waivable_by_assessment
    if waiver_kind is None or tested.requirement.status in (MET, NOT_APPLICABLE):
        return tested
    waivers = [
        a
        for a in s.record.assessments
        if a.kind == waiver_kind and s.in_cycle(a.date) and a.date <= s.on
    ]
    if not waivers:
        return tested
    waiver = waivers[-1]
    by = f" by {waiver.recorded_by}" if waiver.recorded_by else ""
    message = (
        f"No test this cycle: waived by the prescriber's decision of {_day(waiver.date)}{by} "
        "that there is no risk of pregnancy."
    )
    return Outcome(
        make(s, rule, req_id, per_prescription(s, True), message, Role.PRESCRIBER, gates=True,
             event_ids=[waiver.id], due_date=s.next_supply_runs_out,
             parameters=tuple(rule.parameters))
    )  # fmt: skip


def check_test_advised(s: Situation, rule: ProgrammeRule, req_id: str) -> Outcome:
    """A warning, never a block: no negative test since the last dispense."""
    if s.is_first or (s.course_ended and not s.pending):
        return Outcome(
            make(s, rule, req_id, NOT_APPLICABLE, "Applies to repeat prescriptions.",
                 Role.PRESCRIBER, gates=False)
        )  # fmt: skip
    if s.policy.rules(RuleKind.TEST_EACH_PRESCRIPTION, True):
        return Outcome(
            make(s, rule, req_id, NOT_APPLICABLE,
                 "This policy requires the test before each prescription (see that requirement).",
                 Role.PRESCRIBER, gates=False)
        )  # fmt: skip
    counted = [t for t in test_picture(s).counted if s.in_cycle(t.date)]
    if counted:
        status, message = MET, f"Test {counted[-1].id} negative on {_day(counted[-1].date)}."
    else:
        since = s.previous_dispense.date if s.previous_dispense else None
        status = UNMET
        message = (
            f"No pregnancy test since the last dispense ({_day(since)}): local practice decides "
            "whether one is needed; consider testing before this prescription."
        )
    return Outcome(
        make(s, rule, req_id, status, message, Role.PRESCRIBER, gates=False,
             event_ids=[t.id for t in counted[-1:]])
    )  # fmt: skip


def with_sensitivity_headline(check: Check) -> Check:
    """A test requirement left open only because a kit's sensitivity was not recorded is
    ``unknown``, not ``unmet``: its headline says so first ("test of DATE: kit sensitivity not
    recorded"), never "no test on record", and a next step says what to record. ``unknown``
    still blocks (see ``BLOCKING_STATUSES``): a test not known to be sensitive enough cannot
    be counted."""

    def headed(s: Situation, rule: ProgrammeRule, req_id: str) -> Outcome:
        outcome = check(s, rule, req_id)
        requirement = outcome.requirement
        if requirement.status not in (UNMET, DUE):
            return outcome
        since = s.previous_dispense.date if s.previous_dispense and not s.is_first else None
        unknown = [
            v
            for v in test_picture(s).all_verdicts
            if v.sensitivity_unknown
            and v.test.date <= s.on
            and (since is None or v.test.date > since)
        ]
        if not unknown:
            return outcome
        latest = unknown[-1]
        message = (
            f"{latest.why_not[0].upper()}{latest.why_not[1:]}. Record the kit's sensitivity, or "
            "the clinic's kit, so the test can be counted."
        )
        step = NextStep(
            who=Role.PRESCRIBER,
            what=(
                f"Record the sensitivity (mIU/mL) of the urine kit used for the test of "
                f"{_day(latest.test.date)}, or configure the clinic's kit."
            ),
            not_before=s.on,
            requirement_id=req_id,
        )
        return replace(
            outcome,
            requirement=requirement.model_copy(
                update={"status": UNKNOWN, "message": message, "event_ids": [latest.test.id]}
            ),
            next_steps=[step, *outcome.next_steps],
        )

    return headed
