"""The programme report and the dispense decision, assembled from the rule checks.

The decision authorizes only when a prescription is waiting and every requirement that gates
dispensing is met (or does not apply); ``unmet`` and ``unknown`` both refuse. It never fills a
gap with an assumption.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from isotrack.domain.timeline import Timeline
from isotrack.engines.monitoring.hold_models import SafetyStatus
from isotrack.engines.monitoring.holds import clinical_safety
from isotrack.engines.programme import (
    assessments,
    repeat_tests,
    requirements,
    test_requirements,
    windows,
)
from isotrack.engines.programme.course import CourseRecord
from isotrack.engines.programme.policy import ActivePolicy, active_policy
from isotrack.engines.programme.report import (
    BLOCKING_STATUSES,
    DispenseDecision,
    DispenseReason,
    NextStep,
    ProgrammeReport,
    Requirement,
    RequirementStatus,
    Role,
)
from isotrack.engines.programme.requirements import Check, Outcome, make
from isotrack.engines.programme.situation import Situation, situation
from isotrack.engines.treatment_period import TreatmentPeriod
from isotrack.knowledge import Knowledge
from isotrack.knowledge.programme import ProgrammeRule, RuleKind

headed = repeat_tests.with_sensitivity_headline

# Order of the report; requirement ids a consumer (schedule, UI, pharmacy script) can rely on.
CHECKS: tuple[tuple[RuleKind, str, Check, bool], ...] = (
    # (kind, requirement id, check, judged on the initiation date rather than the check date)
    (RuleKind.NO_PREGNANCY, "pregnancy.none_recorded", requirements.check_no_pregnancy, False),
    (RuleKind.CATEGORY, "category", requirements.check_category, False),
    (RuleKind.ENROLMENT, "enrolment", requirements.check_enrolment, True),
    (RuleKind.TWO_PRESCRIBERS_UNDER_AGE, "initiation.two_prescribers",
     assessments.check_two_prescribers, True),
    (RuleKind.COUNSELLING_AT_START, "counselling.start", requirements.check_counselling_at_start,
     True),
    (RuleKind.MENTAL_HEALTH_AT_START, "assessment.mental_health.start",
     assessments.check_mental_health_at_start, True),
    (RuleKind.SEXUAL_FUNCTION_AT_START, "assessment.sexual_function.start",
     assessments.check_sexual_function_at_start, True),
    (RuleKind.COUNSELLING_EACH_PRESCRIPTION, "counselling.prescription",
     requirements.check_counselling_each, False),
    (RuleKind.MENTAL_HEALTH_EACH_FOLLOW_UP, "assessment.mental_health.follow_up",
     assessments.check_mental_health_each, False),
    (RuleKind.SEXUAL_FUNCTION_EACH_FOLLOW_UP, "assessment.sexual_function.follow_up",
     assessments.check_sexual_function_each, False),
    (RuleKind.SCREENING_TEST, "test.screening", headed(test_requirements.check_screening), False),
    (RuleKind.CONFIRMATION_TEST, "test.confirmation", headed(test_requirements.check_confirmation),
     False),
    (RuleKind.TEST_BEFORE_FIRST_PRESCRIPTION, "test.before_first_prescription",
     headed(test_requirements.check_test_before_first), False),
    (RuleKind.TEST_EACH_PRESCRIPTION, "test.prescription",
     headed(repeat_tests.check_test_each_or_waiver), False),
    (RuleKind.TEST_EACH_PRESCRIPTION_ADVISED, "test.prescription_advised",
     repeat_tests.check_test_advised, False),
    (RuleKind.COMPREHENSION_EACH_PRESCRIPTION, "comprehension.prescription",
     requirements.check_comprehension, False),
    (RuleKind.CONTRACEPTION, "contraception", requirements.check_contraception, False),
    (RuleKind.MAX_SUPPLY, "prescription.max_supply", requirements.check_max_supply, False),
    (RuleKind.NO_REFILLS, "prescription.no_refills", requirements.check_no_refills, False),
    (RuleKind.WINDOW_FROM_TEST, "dispense.window", headed(windows.check_window_from_test),
     False),
    (RuleKind.WINDOW_FROM_VISIT, "dispense.window", windows.check_window_from_visit, False),
    (RuleKind.WINDOW_FROM_PRESCRIPTION, "dispense.window",
     windows.check_window_from_prescription, False),
    (RuleKind.AUTHORIZATION_EACH_DISPENSE, "dispense.authorization", windows.check_authorization,
     False),
    (RuleKind.MISSED_FIRST_WINDOW, "dispense.missed_first_window",
     windows.check_missed_first_window, False),
    (RuleKind.MISSED_LATER_WINDOW, "dispense.missed_window", windows.check_missed_later_window,
     False),
    (RuleKind.END_OF_COURSE_TEST, "test.end_of_course", test_requirements.check_end_of_course,
     False),
    (RuleKind.POST_TREATMENT_TEST, "test.post_treatment", test_requirements.check_post_treatment,
     False),
    (RuleKind.CONTRACEPTION_AFTER_LAST_DOSE, "contraception.after_last_dose",
     requirements.check_contraception_after, False),
    (RuleKind.NO_BLOOD_DONATION, "after.no_blood_donation", assessments.check_no_blood_donation,
     False),
)  # fmt: skip

WINDOW_KINDS = {
    RuleKind.WINDOW_FROM_TEST,
    RuleKind.WINDOW_FROM_VISIT,
    RuleKind.WINDOW_FROM_PRESCRIPTION,
}


def _not_in_force(s: Situation, rule: ProgrammeRule, req_id: str, day: dt.date) -> Outcome:
    if rule.effective_until is not None and day >= rule.effective_until:
        replaced = f" (replaced by {rule.replaced_by})" if rule.replaced_by else ""
        message = f"Removed on {rule.effective_until.isoformat()}{replaced}."
    else:
        start = rule.effective_from.isoformat() if rule.effective_from else "?"
        message = f"In force from {start}."
    return Outcome(
        make(s, rule, req_id, RequirementStatus.NOT_APPLICABLE, message, Role.PRESCRIBER,
             gates=False)
    )  # fmt: skip


@dataclass(frozen=True)
class _PlannedCheck:
    kind: RuleKind
    check: Check
    on_initiation: bool
    rule: ProgrammeRule
    req_id: str


def _check_plan(policy: ActivePolicy, can_get_pregnant: bool) -> tuple[_PlannedCheck, ...]:
    """The checks a policy runs for one patient category, with their requirement ids: fixed
    by the knowledge base, so worked out once and reused by every decision."""
    planned: list[_PlannedCheck] = []
    used_ids: set[str] = set()
    for kind, base_id, check, on_initiation in CHECKS:
        rules = policy.rules(kind, can_get_pregnant)
        for rule in rules:
            req_id = base_id if len(rules) == 1 else f"{base_id}.{rule.id.lower()}"
            if req_id in used_ids:
                req_id = f"{req_id}.{rule.id.lower()}"
            used_ids.add(req_id)
            planned.append(_PlannedCheck(kind, check, on_initiation, rule, req_id))
    return tuple(planned)


def run_checks(s: Situation) -> list[tuple[RuleKind, Outcome]]:
    """Every applicable rule's outcome, in report order."""
    plan = s.policy.knowledge.derived(
        ("programme.check_plan", s.policy.id, s.can_get_pregnant),
        lambda: _check_plan(s.policy, s.can_get_pregnant),
    )
    results: list[tuple[RuleKind, Outcome]] = []
    for planned in plan:
        day = s.initiation_date if planned.on_initiation else s.on
        rule = planned.rule
        if rule.in_force_on(day):
            results.append((planned.kind, planned.check(s, rule, planned.req_id)))
        else:
            results.append((planned.kind, _not_in_force(s, rule, planned.req_id, day)))
    return results


def _policy_notes(policy: ActivePolicy, on: dt.date) -> list[str]:
    notes: list[str] = []
    summary = policy.summary(on)
    if not summary.in_force and summary.effective_from is not None:
        notes.append(
            f"Policy {policy.id} takes effect on {summary.effective_from.isoformat()} "
            "(a configured date); it is applied here as the timeline asks."
        )
    for override in summary.overrides:
        notes.append(f"Clinic override: {override.description} ({override.reason})")
    if policy.policy.programme == "ipledge":
        notes.append(
            "This check does not replace the iPLEDGE authorization (RMA); the pharmacist still "
            "obtains it and its do-not-dispense-after date."
        )
    return notes


def _decide(
    s: Situation, results: list[tuple[RuleKind, Outcome]], safety: SafetyStatus
) -> DispenseDecision:
    reasons = [
        DispenseReason(
            requirement_id=o.requirement.id,
            message=o.requirement.message,
            rule_id=o.requirement.rule_id,
            source_ids=o.requirement.source_ids,
        )
        for _, o in results
        if o.requirement.gates_dispense and o.requirement.status in BLOCKING_STATUSES
    ]
    if s.target_problem is not None:
        reasons.insert(
            0,
            DispenseReason(
                requirement_id="prescription",
                message=f"{s.target_problem[0].upper()}{s.target_problem[1:]}.",
                rule_id="ISOTRACK-RX",
                source_ids=["isotrack-decisions"],
            ),
        )
    window_ends = [
        o.requirement.window_end
        for kind, o in results
        if kind in WINDOW_KINDS
        and o.requirement.status is RequirementStatus.MET
        and o.requirement.window_end is not None
    ]
    supply_rules = s.policy.rules(RuleKind.MAX_SUPPLY, s.can_get_pregnant)
    steps: list[NextStep] = [step for _, o in results for step in o.next_steps]
    programme_met = s.pending and not reasons
    return DispenseDecision(
        policy=s.policy.summary(s.on),
        on=s.on,
        prescription_id=s.target.id if s.target is not None else None,
        authorized=programme_met and not safety.clinical_holds,
        programme_met=programme_met,
        reasons=reasons,
        clinical_holds=safety.clinical_holds,
        course_status=safety.course_status,
        dispense_by=min(window_ends) if window_ends else None,
        max_days_supply=s.policy.count("max_days_supply") if supply_rules else None,
        next_steps=steps,
        notes=_policy_notes(s.policy, s.on) + _no_longer_applies(results),
    )


def _no_longer_applies(results: list[tuple[RuleKind, Outcome]]) -> list[str]:
    """The conditions of the first dispense that were not met when treatment began, named on
    the decision so that the pharmacist reads the same state as the checklist."""
    return [
        f"{o.requirement.title}: {o.requirement.message}"
        for _, o in results
        if o.requirement.no_longer_applies_since is not None
    ]


def _situation(
    knowledge: Knowledge, timeline: Timeline, on: dt.date, prescription_id: str | None
) -> Situation:
    policy = active_policy(knowledge, timeline.policy)
    return situation(policy, CourseRecord.of(timeline, on), on, prescription_id)


def decide_dispense(
    knowledge: Knowledge,
    timeline: Timeline,
    on: dt.date,
    prescription_id: str | None = None,
) -> DispenseDecision:
    """May the prescription (default: the latest on record) be dispensed on ``on``?

    Every caller gets the clinical holds with the programme's answer: a critical alert no
    prescriber has lifted refuses the dispense whatever the programme says.
    """
    s = _situation(knowledge, timeline, on, prescription_id)
    return _decide(s, run_checks(s), clinical_safety(knowledge, timeline, on))


def evaluate_programme(knowledge: Knowledge, timeline: Timeline, as_of: dt.date) -> ProgrammeReport:
    """Every programme requirement of the course on ``as_of``, with the dispense decision."""
    s = _situation(knowledge, timeline, as_of, None)
    results = run_checks(s)
    found: list[Requirement] = [o.requirement for _, o in results]
    return ProgrammeReport(
        policy=s.policy.summary(as_of),
        as_of=as_of,
        category="can_get_pregnant" if s.can_get_pregnant else "cannot_get_pregnant",
        treatment=s.record.period,
        requirements=found,
        dispense_decision=_decide(s, results, clinical_safety(knowledge, timeline, as_of)),
    )


def programme_requirements(
    knowledge: Knowledge, timeline: Timeline, as_of: dt.date
) -> tuple[TreatmentPeriod, list[Requirement]]:
    """The treatment period and every programme requirement on ``as_of``, without the dispense
    decision and its clinical holds: what a look back over a course reads (the audit)."""
    s = _situation(knowledge, timeline, as_of, None)
    return s.record.period, [o.requirement for _, o in run_checks(s)]
