"""Clinical holds: which critical alerts hold the course on a day, and each one's lifecycle.

An alert whose code a ``[[clinical_hold]]`` rule names holds the course from the day of the
event that caused it until it ends:

- a lab alert (rule ``resolves_when_back_in_range``) is *resolved* by a later result of the
  same test that no longer raises the code, or *superseded* when a newer result raises the same
  code again (a new alert, with a new id, holds in its place);
- any alert is *reviewed* by an ``alert_review`` naming its id: ``continue`` lifts that alert's
  hold only (never a pregnancy's), ``hold`` keeps it, ``stop`` keeps it and stops the course.

Every screen, report and result so far is read, not only the latest: an item-9 answer stays open
after a later normal screen until a prescriber reviews it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from functools import partial

from isotrack.domain.events import AlertReviewed, MoodScreened
from isotrack.domain.timeline import Timeline, events_of
from isotrack.engines.course_prefix import per_event, shared_answers
from isotrack.engines.monitoring.adverse_events import adverse_event_alerts
from isotrack.engines.monitoring.alerts import Alert, merge_sources
from isotrack.engines.monitoring.course import CourseView, course_view
from isotrack.engines.monitoring.hold_models import (
    AlertReview,
    ClinicalHold,
    SafetyStatus,
    TrackedAlert,
)
from isotrack.engines.monitoring.lab_readings import read_results
from isotrack.engines.monitoring.lab_units import LabReading
from isotrack.engines.monitoring.labs import grade_alerts, stop_rule_alerts
from isotrack.engines.monitoring.mood import screen_alerts
from isotrack.engines.monitoring.policy_choice import choose_position
from isotrack.engines.monitoring.pregnancy import pregnancy_alerts
from isotrack.engines.snapshot import with_knowledge
from isotrack.knowledge import Knowledge
from isotrack.knowledge.monitoring import Severity, lab_grades
from isotrack.knowledge.safety import ClinicalHoldRule, hold_rule_by_code

ACTIVE = "active"
ON_HOLD = "on clinical hold"
STOPPED_BY_REVIEW = "stopped: alert review"
COURSE_STOPPED = "COURSE_STOPPED"


def clinical_safety(knowledge: Knowledge, timeline: Timeline, as_of: dt.date) -> SafetyStatus:
    """The clinical holds of the course on ``as_of`` and every holding alert's lifecycle.

    Worked out once per course, day and knowledge base: monitoring, the programme's dispense
    decision and the prescribing check all read it.
    """
    return with_knowledge(
        timeline,
        knowledge,
        ("clinical_safety", as_of),
        lambda: safety_of_course(knowledge, course_view(timeline, as_of)),
    )


def safety_of_course(knowledge: Knowledge, course: CourseView) -> SafetyStatus:
    rules = hold_rule_by_code(knowledge)
    raised: dict[str, Alert] = {}

    def keep(alerts: Iterable[Alert]) -> None:
        for alert in alerts:
            if alert.code in rules and alert.id not in raised:
                raised[alert.id] = alert

    readings, _ = read_results(knowledge, course)
    current_lab = _lab_alerts(knowledge, course, readings, keep)
    answers = shared_answers(course.timeline)
    for screen in events_of(course.events, MoodScreened):  # a screen's alerts are its own
        keep(per_event(answers, knowledge, "holds.screen", screen,
                       partial(screen_alerts, knowledge, screen)))  # fmt: skip
    keep(adverse_event_alerts(knowledge, course))
    keep(pregnancy_alerts(knowledge, course.events))

    reviews = [_review(e) for e in events_of(course.events, AlertReviewed)]
    latest_review = {r.alert_id: r for r in reviews}
    dates = {e.id: e.date for e in course.events}
    tracked = [
        _track(alert, rules[alert.code], dates, latest_review.get(alert.id), current_lab, readings)
        for alert in raised.values()
    ]
    tracked.sort(key=lambda t: (not t.holding, t.alert.severity.rank, t.raised_on))
    holds = [_hold(t, rules[t.alert.code]) for t in tracked if t.holding]
    unmatched = [r for r in reviews if r.alert_id not in raised]
    # A stop is a stop even when its alert id names nothing: the course stays stopped.
    holds.extend(_stopped_by(review) for review in unmatched if review.outcome == "stop")
    return SafetyStatus(
        as_of=course.as_of,
        course_status=_course_status(tracked, rules, reviews),
        clinical_holds=holds,
        alerts=tracked,
        reviews=reviews,
        unmatched_reviews=unmatched,
    )


def _lab_alerts(
    knowledge: Knowledge,
    course: CourseView,
    readings: Sequence[LabReading],
    keep: Callable[[Iterable[Alert]], None],
) -> dict[str, Alert]:
    """Keep every hold alert a lab result raised when it was the latest; return today's.

    Only tests with a held grade are graded (grading converts units, the costly part), each
    result once: today's grade alerts are those of each test's latest result.
    """
    held = hold_rule_by_code(knowledge)
    graded_tests = knowledge.derived(
        "holds.graded_tests",
        lambda: frozenset(g.test for g in lab_grades(knowledge) if g.code in held),
    )
    answers = shared_answers(course.timeline)
    latest: dict[str, list[Alert]] = {}
    for reading in readings:
        if reading.test_id in graded_tests:
            # A grade depends on the reading alone: graded once for the course and every prefix.
            found = per_event(
                answers, knowledge, "holds.grade", reading,
                partial(_held_grades, knowledge, reading, held),
            )  # fmt: skip
            keep(found)
            latest[reading.test_id] = found
    current = [alert for found in latest.values() for alert in found]
    # The stop rules judge a series; judged again as of each day with a result, so a rule met
    # in the past is remembered even when a later result no longer meets it. Readings are in
    # date order, so the series of a day is the readings up to its last result; a series
    # judges the same on every prefix that holds it (same readings, first dose and policy).
    policy = course.timeline.policy
    stop_choice = choose_position(knowledge, policy, "abnormal_labs_stop_rule")
    ends = [i + 1 for i in range(len(readings)) if i + 1 == len(readings)
            or readings[i + 1].date != readings[i].date]  # fmt: skip
    for end in ends:
        so_far = tuple(readings[:end])
        found = per_event(
            answers, knowledge, "holds.stop_rules", so_far,
            partial(stop_rule_alerts, knowledge, so_far, course, stop_choice),
            extra=(course.start, policy),
        )  # fmt: skip
        keep(found)
    if ends:  # the series of the last day with a result: what the labs say today
        current.extend(found)
    return {a.id: a for a in current}


def _held_grades(knowledge: Knowledge, reading: LabReading, held: Iterable[str]) -> list[Alert]:
    return [a for a in grade_alerts(knowledge, [reading]) if a.code in held]


def _review(event: AlertReviewed) -> AlertReview:
    return AlertReview(
        event_id=event.id,
        alert_id=event.alert_id,
        reviewed_on=event.date,
        reviewed_by=event.recorded_by,
        outcome=event.outcome,
        note=event.note,
    )


def _track(
    alert: Alert,
    rule: ClinicalHoldRule,
    dates: dict[str, dt.date],
    review: AlertReview | None,
    current_lab: dict[str, Alert],
    readings: Sequence[LabReading],
) -> TrackedAlert:
    raised_on = dates[alert.event_ids[-1]] if alert.event_ids else max(dates.values())
    common = {"alert": alert, "hold_rule_id": rule.id, "raised_on": raised_on, "review": review}
    if rule.resolves_when_back_in_range and alert.id not in current_lab:
        newer = next((a.id for a in current_lab.values() if a.code == alert.code), None)
        if newer is not None:
            return TrackedAlert(**common, state="superseded", holding=False, superseded_by=newer)
        tests = {r.test_id for r in readings if r.event_id in alert.event_ids}
        later = [r for r in readings if r.test_id in tests and r.event_id not in alert.event_ids]
        last = later[-1] if later else None
        return TrackedAlert(
            **common,
            state="resolved",
            holding=False,
            resolved_on=last.date if last else None,
            resolved_by_event_id=last.event_id if last else None,
        )
    if review is None:
        return TrackedAlert(**common, state="open", holding=True)
    lifted = review.outcome == "continue" and rule.review_can_lift
    note = ""
    if review.outcome == "continue" and not rule.review_can_lift:
        note = "A review cannot lift this hold; only a correction of the record can."
    return TrackedAlert(**common, state="reviewed", holding=not lifted, note=note)


def _hold(tracked: TrackedAlert, rule: ClinicalHoldRule) -> ClinicalHold:
    alert = tracked.alert
    action = rule.pharmacist_action
    if tracked.review is not None and tracked.review.outcome == "stop":
        action = f"The prescriber stopped the course on {tracked.review.reviewed_on}. {action}"
    return ClinicalHold(
        alert_id=alert.id,
        code=alert.code,
        date=tracked.raised_on,
        severity=alert.severity,
        message=alert.message,
        action=action,
        source_ids=merge_sources(rule.source_ids, alert.source_ids),
        hold_rule_id=rule.id,
        state=tracked.state,
        review=tracked.review,
    )


def _stopped_by(review: AlertReview) -> ClinicalHold:
    return ClinicalHold(
        alert_id=review.alert_id,
        code=COURSE_STOPPED,
        date=review.reviewed_on,
        severity=Severity.CRITICAL,
        message=f"The prescriber stopped the course on {review.reviewed_on}: {review.note}",
        action="Do not dispense: the course was stopped. Contact the prescriber.",
        source_ids=[],
        hold_rule_id=COURSE_STOPPED,
        state="reviewed",
        review=review,
    )


def _course_status(
    tracked: Sequence[TrackedAlert],
    rules: dict[str, ClinicalHoldRule],
    reviews: Sequence[AlertReview],
) -> str:
    for t in tracked:
        status = rules[t.alert.code].course_status
        if t.holding and status is not None:
            return status
    if any(r.outcome == "stop" for r in reviews):
        return STOPPED_BY_REVIEW
    return ON_HOLD if any(t.holding for t in tracked) else ACTIVE
