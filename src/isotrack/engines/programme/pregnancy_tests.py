"""Which pregnancy tests count, under which rule, and which test opens a dispensing window."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import partial

from isotrack.domain.events import PregnancyTestTaken, TestResult
from isotrack.domain.timeline import Timeline
from isotrack.engines.course_prefix import per_event, shared_answers
from isotrack.engines.programme.course import CourseRecord
from isotrack.engines.programme.policy import ActivePolicy, active_policy
from isotrack.knowledge import Knowledge
from isotrack.knowledge.programme import RuleKind, TreatmentPhase

# A clinic setting (a policy parameter naming a fact): the sensitivity of the urine kit the
# clinic uses, so its urine tests count without a figure typed in each time.
CLINIC_KIT_PARAMETER = "urine_kit_sensitivity"


@dataclass(frozen=True)
class TestVerdict:
    test: PregnancyTestTaken
    counts: bool
    why_not: str = ""
    # Not counted only because no one recorded how sensitive the kit was.
    sensitivity_unknown: bool = False


def _unrecorded_sensitivity(
    policy: ActivePolicy, test: PregnancyTestTaken, rule_id: str, limit: float
) -> TestVerdict | None:
    """A test with no recorded figure: None when it counts, else the verdict.

    Laboratory (serum or quantitative) assays detect far below the labels' 25 mIU/mL, so they
    count without a figure (fact programme.lab_assay_sensitivity); a urine test counts when
    the clinic has configured its kit; otherwise it is not known to be sensitive enough.
    """
    if test.kind == "serum" or test.setting == "laboratory":
        return None
    if CLINIC_KIT_PARAMETER in policy.policy.parameters:
        kit = policy.number(CLINIC_KIT_PARAMETER)
        if kit <= limit:
            return None
        return TestVerdict(
            test, False, f"the test of {test.date.isoformat()}: the clinic's configured kit "
            f"detects hCG only from {kit:g} mIU/mL; {rule_id} needs {limit:g} mIU/mL or better",
        )  # fmt: skip
    return TestVerdict(
        test,
        False,
        f"test of {test.date.isoformat()}: kit sensitivity not recorded "
        f"({rule_id} needs {limit:g} mIU/mL or better)",
        sensitivity_unknown=True,
    )


def phase_of(record: CourseRecord, day: dt.date) -> TreatmentPhase:
    if record.before_first_dose(day):
        return TreatmentPhase.BEFORE_FIRST_DOSE
    return TreatmentPhase.DURING_AND_AFTER


def judge_test(policy: ActivePolicy, record: CourseRecord, test: PregnancyTestTaken) -> TestVerdict:
    """A test counts only when negative, sensitive enough and taken in an allowed setting."""
    # Named by its date, not its record id: pharmacists and prescribers read it.
    label = f"the test of {test.date.isoformat()}"
    if test.result is TestResult.POSITIVE:
        return TestVerdict(test, False, f"{label} is positive")
    if test.result is TestResult.INVALID:
        return TestVerdict(test, False, f"{label} gave an invalid result; it must be repeated")
    for rule in policy.rules(RuleKind.TEST_SENSITIVITY, can_get_pregnant=True):
        if not rule.in_force_on(test.date):
            continue
        limit = policy.number("min_sensitivity")
        if test.sensitivity_miu_per_ml is None:
            verdict = _unrecorded_sensitivity(policy, test, rule.id, limit)
            if verdict is not None:
                return verdict
        elif test.sensitivity_miu_per_ml > limit:
            return TestVerdict(
                test,
                False,
                f"{label} detects hCG only from {test.sensitivity_miu_per_ml:g} mIU/mL; "
                f"{rule.id} needs {limit:g} mIU/mL or better",
            )
    phase = phase_of(record, test.date)
    for rule in policy.rules(RuleKind.TEST_SETTING, can_get_pregnant=True):
        if rule.phase is not phase or not rule.in_force_on(test.date):
            continue
        if test.setting not in rule.allowed_test_settings:
            when = (
                "before the first dose"
                if phase is TreatmentPhase.BEFORE_FIRST_DOSE
                else ("during or after treatment")
            )
            allowed = ", ".join(rule.allowed_test_settings)
            return TestVerdict(
                test,
                False,
                f"{label} was a {test.setting} test {when}; {rule.id} accepts only: {allowed}",
            )
    return TestVerdict(test, True)


def verdicts(policy: ActivePolicy, record: CourseRecord) -> list[TestVerdict]:
    """Each test's verdict. A verdict depends on the test, the policy and the phase it was
    taken in alone: judged once for the course and every prefix the audit judges it on."""
    answers = shared_answers(record.timeline)
    found: list[TestVerdict] = []
    for test in record.tests:
        judge = partial(judge_test, policy, record, test)
        phase = phase_of(record, test.date)
        key = (policy.id, phase)
        found.append(per_event(answers, policy.knowledge, "programme.verdict", test, judge, key))
    return found


def window_end(policy: ActivePolicy, opened_on: dt.date, parameter: str) -> dt.date:
    """Last day of a window that counts its opening day as day 1."""
    return opened_on + dt.timedelta(days=policy.count(parameter) - 1)


def home_test_accepted(knowledge: Knowledge, timeline: Timeline, day: dt.date) -> bool:
    """True when the course's policy accepts a home pregnancy test taken on ``day``.

    The phase (before the first dose, or during and after treatment) is read from the one
    treatment period every engine shares, so the patient form, the API and the requirement
    checks cannot disagree about a test.
    """
    policy = active_policy(knowledge, timeline.policy)
    record = CourseRecord.of(timeline, day)
    phase = phase_of(record, day)
    return any(
        rule.phase is phase and rule.in_force_on(day) and "home" in rule.allowed_test_settings
        for rule in policy.rules(RuleKind.TEST_SETTING, can_get_pregnant=True)
    )
