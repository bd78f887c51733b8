"""The audit rules: pure functions over one course's timeline, judged by the engines.

Each dispense is judged as the course stood when it was recorded: the events recorded before it
(decision 34); the engines judge every dispense of a course in one call (``judge_dispenses``).
The programme engine decides whether it could have been authorized; the audit only names what
the engine refused, adds what a look back can see (the same prescription filled twice, more
supply handed over than the policy allows, the post-treatment test, exposures) and reads which
labs or mood screens the monitoring engine found overdue at each dispense.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from isotrack.audit.findings import Finding
from isotrack.domain.events import (
    Dispensed,
    EventBase,
    PregnancyReported,
    PregnancyTestTaken,
    TestResult,
)
from isotrack.domain.timeline import Timeline, effective_events, events_of
from isotrack.engines.dispense_history import JudgedDispense, judge_dispenses
from isotrack.engines.monitoring.alerts import Alert
from isotrack.engines.pregnancy_exposure import pregnancy_exposure
from isotrack.engines.programme import (
    Requirement,
    RequirementStatus,
    active_policy,
)
from isotrack.engines.programme.decision import programme_requirements
from isotrack.knowledge import Knowledge

LATE_TEST_FACT = "audit.post_treatment_test_late_days"
EXPOSURE_REPORT_FACT = "audit.exposure_report_days"
RECORDED_LATE_FACT = "audit.recorded_late_days"
MONITORING_RULES = {
    "LAB_OVERDUE": "monitoring.lab_overdue",
    "MOOD_SCREEN_OVERDUE": "monitoring.mood_screen_overdue",
}
# Rules the timeline cannot answer, reported in every summary instead of silently skipped.
NOT_CHECKABLE = {
    "recording.late": (
        "An event recorded long after its date: isotrack.timeline/1 and FHIR exports carry no "
        "recording time, so this is checked only by readers that have one (the store)."
    ),
}


@dataclass(frozen=True)
class CourseAudit:
    """The findings of one course (identified ids) and what the summary counts."""

    course_id: str
    patient_id: str
    policy: str
    prescriber_id: str
    start_month: str
    dispenses: int
    findings: list[Finding]


def course_id_of(timeline: Timeline) -> str:
    """A course id stable across readers: the patient and the first event recorded."""
    first = timeline.events[0].id if timeline.events else "empty"
    return f"{timeline.patient.id}:{first}"


def audit_course(
    knowledge: Knowledge,
    timeline: Timeline,
    audit_date: dt.date,
    recorded_on: Mapping[str, dt.date] | None = None,
    in_force: Callable[[Dispensed], Knowledge] | None = None,
) -> CourseAudit:
    """Every audit finding of one course, looking back from ``audit_date``. ``recorded_on``
    (event id -> the day it was recorded) comes from readers that know it (the store);
    ``in_force`` gives the base each dispense was decided with, where the clinic's programme
    settings changed (the look back after the last dispense uses ``knowledge``)."""
    course = _Course(knowledge, timeline, audit_date)
    events = [e for e in effective_events(timeline) if e.date <= audit_date]
    dispenses = events_of(events, Dispensed)
    monitoring_seen: set[tuple[str, str]] = set()
    for judged in judge_dispenses(knowledge, timeline, audit_date, in_force):
        course.judge_dispense(judged, dispenses)
        course.monitoring_at(judged.dispense, judged.overdue, monitoring_seen)
    treatment, requirements = programme_requirements(knowledge, timeline, audit_date)
    post = _requirement(requirements, "test.post_treatment")
    course.post_treatment(post, events, treatment.end_event_id or "")
    course.contraception_after(_requirement(requirements, "contraception.after_last_dose"))
    exposure_end = post.due_date if post is not None and post.due_date else audit_date
    course.exposures(events, treatment.start, exposure_end)
    if recorded_on:
        course.recorded_late(recorded_on)
    prescribers = [p.prescriber_id for p in timeline.events if p.type == "prescription"]
    start = treatment.start or (dispenses[0].date if dispenses else None)
    return CourseAudit(
        course_id=course.course_id,
        patient_id=timeline.patient.id,
        policy=timeline.policy,
        prescriber_id=next((p for p in prescribers if p), "unknown"),
        start_month=start.strftime("%Y-%m") if start else "not started",
        dispenses=len(dispenses),
        findings=sorted(course.found, key=Finding.sort_key),
    )


def _requirement(requirements: list[Requirement], prefix: str) -> Requirement | None:
    return next((r for r in requirements if r.id.startswith(prefix)), None)


class _Course:
    """Collects the findings of one course; each method is one audit rule."""

    def __init__(self, knowledge: Knowledge, timeline: Timeline, audit_date: dt.date) -> None:
        self.knowledge = knowledge
        self.timeline = timeline
        self.audit_date = audit_date
        self.course_id = course_id_of(timeline)
        self.found: list[Finding] = []

    def add(
        self,
        rule_id: str,
        event_id: str,
        day: dt.date,
        severity: str,
        message: str,
        source_ids: list[str],
    ) -> None:
        self.found.append(
            Finding(
                patient_id=self.timeline.patient.id,
                course_id=self.course_id,
                rule_id=rule_id,
                event_id=event_id,
                date=day.isoformat(),
                severity=severity,
                message=message,
                source_ids=list(source_ids),
                policy=self.timeline.policy,
            )
        )

    def judge_dispense(self, judged: JudgedDispense, dispenses: list[Dispensed]) -> None:
        """Unauthorized dispense (each engine reason, each clinical hold), double dispense,
        supply over the limit."""
        dispense, decision = judged.dispense, judged.decision
        earlier = [
            d
            for d in dispenses
            if d.prescription_id == dispense.prescription_id
            and d.id != dispense.id
            and (d.date, d.id) < (dispense.date, dispense.id)
        ]
        for reason in decision.reasons:
            if reason.requirement_id == "prescription" and earlier:
                self.add(
                    "double_dispense",
                    dispense.id,
                    dispense.date,
                    "critical",
                    f"Prescription filled a second time (first fill {earlier[0].id} on "
                    f"{earlier[0].date.isoformat()}).",
                    reason.source_ids,
                )
                continue
            self.add(
                f"unauthorized_dispense.{reason.requirement_id}",
                dispense.id,
                dispense.date,
                "critical",
                f"{reason.rule_id}: {reason.message}",
                reason.source_ids,
            )
        for hold in decision.clinical_holds:
            self.add(
                f"unauthorized_dispense.clinical_hold.{hold.code}",
                dispense.id,
                dispense.date,
                "critical",
                f"On clinical hold: {hold.message}",
                hold.source_ids,
            )
        limit = decision.max_days_supply
        if limit is not None and dispense.days_supply > limit:
            fact = active_policy(judged.knowledge, self.timeline.policy).fact("max_days_supply")
            self.add(
                "supply_over_limit",
                dispense.id,
                dispense.date,
                "high",
                f"{dispense.days_supply} days handed over; the policy allows at most {limit}.",
                fact.source_ids,
            )

    def monitoring_at(
        self, dispense: Dispensed, overdue: Sequence[Alert], seen: set[tuple[str, str]]
    ) -> None:
        """Labs and mood screens the policy asked for and that were overdue when this fill was
        handed over (each overdue item reported once, at the first fill it concerned)."""
        for alert in overdue:
            rule_id = MONITORING_RULES.get(alert.code)
            if rule_id is None or (alert.code, alert.message) in seen:
                continue
            seen.add((alert.code, alert.message))
            self.add(
                rule_id,
                dispense.id,
                dispense.date,
                "medium",
                f"At dispense: {alert.message}",
                alert.source_ids,
            )

    def post_treatment(
        self, post: Requirement | None, events: Sequence[EventBase], end_id: str
    ) -> None:
        if post is None or post.due_date is None:
            return
        if post.status is RequirementStatus.UNMET:
            self.add(
                "post_treatment_test.missing",
                end_id,
                post.due_date,
                "high",
                post.message,
                post.source_ids,
            )
            return
        if post.status is not RequirementStatus.MET or not post.event_ids:
            return
        tests = {t.id: t for t in events if isinstance(t, PregnancyTestTaken)}
        test = tests.get(post.event_ids[0])
        fact = self.knowledge.fact(LATE_TEST_FACT)
        late_after = post.due_date + dt.timedelta(days=self.knowledge.number(LATE_TEST_FACT))
        if test is not None and test.date > late_after:
            self.add(
                "post_treatment_test.late",
                test.id,
                test.date,
                "medium",
                f"Post-treatment test taken {(test.date - post.due_date).days} days after "
                f"it was due ({post.due_date.isoformat()}).",
                [*post.source_ids, *fact.source_ids],
            )

    def contraception_after(self, requirement: Requirement | None) -> None:
        if requirement is not None and requirement.status is RequirementStatus.UNMET:
            day = requirement.due_date or self.audit_date
            self.add(
                "contraception.gap_after_last_dose",
                requirement.rule_id,
                day,
                "high",
                requirement.message,
                requirement.source_ids,
            )

    def exposures(self, events: Sequence[EventBase], start: dt.date | None, end: dt.date) -> None:
        """Pregnancies during treatment or before the post-treatment test is due, and whether
        the exposure record holds a pregnancy report: without one the reporting duties the
        record lists (each programme's) have not started; one after the fact's days is late."""
        if start is None:
            return
        positives = [
            e
            for e in events
            if isinstance(e, PregnancyTestTaken)
            and e.result is TestResult.POSITIVE
            and start <= e.date <= end
        ]
        reports = [e for e in events if isinstance(e, PregnancyReported) and e.date >= start]
        fact = self.knowledge.fact(EXPOSURE_REPORT_FACT)
        report_days = dt.timedelta(days=self.knowledge.number(EXPOSURE_REPORT_FACT))
        record = pregnancy_exposure(self.knowledge, self.timeline, self.audit_date)
        duties = record.reporting if record is not None else []
        duty_sources = [s for d in duties for s in d.source_ids]
        for test in positives:
            self.add(
                "pregnancy.exposure",
                test.id,
                test.date,
                "critical",
                "Positive pregnancy test during treatment or the month after.",
                fact.source_ids,
            )
            report = next((r for r in reports if r.date >= test.date), None)
            if report is None:
                owed = "; ".join(d.report_to for d in duties) or "the programme"
                self.add(
                    "pregnancy.exposure_not_reported",
                    test.id,
                    test.date,
                    "high",
                    "The exposure record holds no pregnancy report after the positive test; "
                    f"reports owed to: {owed}.",
                    [*duty_sources, *fact.source_ids],
                )
            elif report.date > test.date + report_days:
                self.add(
                    "pregnancy.exposure_reported_late",
                    report.id,
                    report.date,
                    "medium",
                    f"Pregnancy reported {(report.date - test.date).days} days after the "
                    f"positive test (expected within {report_days.days}).",
                    [*duty_sources, *fact.source_ids],
                )
        for report in reports:
            if not any(t.date <= report.date for t in positives):
                self.add(
                    "pregnancy.exposure",
                    report.id,
                    report.date,
                    "critical",
                    "Pregnancy reported during the course.",
                    fact.source_ids,
                )

    def recorded_late(self, recorded_on: Mapping[str, dt.date]) -> None:
        """Events entered long after their date: a fact the clinic held but the record did
        not, for that long (decision 37)."""
        fact = self.knowledge.fact(RECORDED_LATE_FACT)
        late_days = int(self.knowledge.number(RECORDED_LATE_FACT))
        for event in self.timeline.events:
            recorded = recorded_on.get(event.id)
            if recorded is None or event.date > self.audit_date:
                continue
            delay = (recorded - event.date).days
            if delay > late_days:
                self.add(
                    "recording.late",
                    event.id,
                    event.date,
                    "low",
                    f"Recorded {delay} days after its date (on {recorded.isoformat()}); "
                    f"expected within {late_days}.",
                    fact.source_ids,
                )
