"""UK MHRA measures (mental health, sexual function, two prescribers) and blood donation."""

from __future__ import annotations

from isotrack.engines.programme.report import Role
from isotrack.engines.programme.requirements import (
    DUE,
    MET,
    NOT_APPLICABLE,
    Check,
    Outcome,
    _day,
    at_start,
    before_first_dispense,
    make,
    per_prescription,
)
from isotrack.engines.programme.situation import Situation
from isotrack.knowledge.programme import ProgrammeRule

WORDS = {"mental_health": "mental-health", "sexual_function": "sexual-function"}


def _at_start(kind: str) -> Check:
    def check(s: Situation, rule: ProgrammeRule, req_id: str) -> Outcome:
        found = [a for a in s.record.assessments if a.kind == kind]
        if found:
            concern = " (a concern was noted)" if found[0].concern else ""
            message = f"Baseline {WORDS[kind]} assessment on {_day(found[0].date)}{concern}."
        else:
            message = (
                f"No baseline {WORDS[kind]} assessment: the prescriber assesses before starting."
            )
        return Outcome(
            make(s, rule, req_id, at_start(s, bool(found)), message, Role.PRESCRIBER, gates=True,
                 event_ids=[a.id for a in found[:1]])
        )  # fmt: skip

    return check


def _each_follow_up(kind: str) -> Check:
    def check(s: Situation, rule: ProgrammeRule, req_id: str) -> Outcome:
        if s.is_first:
            return Outcome(
                make(s, rule, req_id, NOT_APPLICABLE, "The baseline assessment covers the start.",
                     Role.PRESCRIBER, gates=True)
            )  # fmt: skip
        found = [a for a in s.record.assessments if a.kind == kind and s.in_cycle(a.date)]
        message = (
            f"{WORDS[kind].capitalize()} reviewed on {_day(found[-1].date)}."
            if found
            else f"No {WORDS[kind]} review since the previous dispense: the prescriber reviews "
            "it at this follow-up."
        )
        return Outcome(
            make(s, rule, req_id, per_prescription(s, bool(found)), message, Role.PRESCRIBER,
                 gates=True, event_ids=[a.id for a in found[-1:]], due_date=s.next_supply_runs_out)
        )  # fmt: skip

    return check


check_mental_health_at_start = _at_start("mental_health")
check_sexual_function_at_start = _at_start("sexual_function")
check_mental_health_each = _each_follow_up("mental_health")
check_sexual_function_each = _each_follow_up("sexual_function")


def check_two_prescribers(s: Situation, rule: ProgrammeRule, req_id: str) -> Outcome:
    params = ("two_prescriber_age_below", "prescribers_required_under_age")
    age_limit = s.policy.count("two_prescriber_age_below")
    needed = s.policy.count("prescribers_required_under_age")
    started = s.initiation_date
    age = s.record.timeline.patient.age_years_on(started)
    if age >= age_limit:
        return Outcome(
            make(s, rule, req_id, NOT_APPLICABLE, f"Patient was {age} at the start.",
                 Role.PRESCRIBER, gates=False, parameters=params)
        )  # fmt: skip
    found = [a for a in s.record.assessments if a.kind == "second_prescriber_agreement"]
    message = (
        f"Patient {age} at the start; second prescriber agreed on {_day(found[0].date)}."
        if found
        else f"Patient {age} at the start ({_day(started)}): {needed} independent prescribers "
        "must agree before treatment starts; the second prescriber's agreement is not on record."
    )
    return Outcome(
        before_first_dispense(s, rule, req_id, bool(found), message, Role.PRESCRIBER,
                              event_ids=[a.id for a in found[:1]], parameters=params)
    )  # fmt: skip


def check_no_blood_donation(s: Situation, rule: ProgrammeRule, req_id: str) -> Outcome:
    """Advice with an end date: isotrack has no event that could show it was broken."""
    params = ("no_blood_donation_after_last_dose",)
    last = s.record.last_dose
    if last is None:
        period = s.policy.period("no_blood_donation_after_last_dose")
        return Outcome(
            make(s, rule, req_id, DUE, f"No blood donation during treatment and for {period} "
                 "after the last dose.", Role.PATIENT, gates=False, parameters=params)
        )  # fmt: skip
    until = s.policy.after(last, "no_blood_donation_after_last_dose")
    if s.on < until:
        status, message = DUE, f"No blood donation before {_day(until)}."
    else:
        status, message = MET, f"The restriction on blood donation ended on {_day(until)}."
    return Outcome(
        make(s, rule, req_id, status, message, Role.PATIENT, gates=False, due_date=until,
             parameters=params)
    )  # fmt: skip
