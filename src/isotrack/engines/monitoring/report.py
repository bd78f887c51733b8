"""The monitoring section of ``evaluate``: every safety rule over one course, as of one day."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict

from isotrack.domain.events import (
    AllergyRecorded,
    ConditionRecorded,
    MedicationRecorded,
    PregnancyReported,
)
from isotrack.domain.timeline import Timeline
from isotrack.engines.course_policy import require_policy
from isotrack.engines.monitoring.adverse_events import adverse_event_alerts
from isotrack.engines.monitoring.alerts import Alert, sort_alerts
from isotrack.engines.monitoring.course import CourseView, course_view
from isotrack.engines.monitoring.education import EducationItem, choose_education
from isotrack.engines.monitoring.hold_models import SafetyStatus
from isotrack.engines.monitoring.holds import clinical_safety
from isotrack.engines.monitoring.lab_readings import read_results
from isotrack.engines.monitoring.lab_schedule import LabDue, labs_due
from isotrack.engines.monitoring.labs import (
    grade_alerts,
    rise_alerts,
    stop_rule_alerts,
)
from isotrack.engines.monitoring.mood import MoodStatus, assessment_concern_alerts, mood_alerts
from isotrack.engines.monitoring.policy_choice import PolicyChoice, choose_position
from isotrack.engines.monitoring.pregnancy import pregnancy_alerts
from isotrack.engines.monitoring.risk_factors import RiskFactorPresent, find_risk_factors
from isotrack.engines.monitoring.screening import (
    ScreenedTerm,
    ScreeningReport,
    screen_terms,
    screening_alerts,
)
from isotrack.engines.monitoring.terms import normalise_term, strip_dose
from isotrack.engines.treatment_period import TreatmentPeriod
from isotrack.knowledge import Knowledge
from isotrack.knowledge.monitoring import InputKind
from isotrack.knowledge.safety import hold_rule_by_code


class MonitoringReport(BaseModel):
    """Alerts (critical first), labs due, risk factors, screening, mood and education.

    ``treatment`` is the first and last dose every rule here was anchored on (shared with the
    dose and programme sections; its ``start_basis`` says whether the start is inferred).
    """

    model_config = ConfigDict(frozen=True)

    treatment: TreatmentPeriod
    alerts: list[Alert]
    labs_due: list[LabDue]
    risk_factors: list[RiskFactorPresent]
    screening: ScreeningReport
    mood: MoodStatus
    education: list[EducationItem]
    policy_choices: list[PolicyChoice]
    safety: SafetyStatus


def _same_term(text: str) -> str:
    """One key for spellings of the same term ('Doxycycline 100 mg' and 'doxycycline')."""
    normalised = normalise_term(text)
    return strip_dose(normalised) or normalised


def screened_terms(course: CourseView) -> list[ScreenedTerm]:
    """Current conditions, allergies and medicines from the timeline, one entry per term.

    A medicine whose latest record says stopped, or a resolved condition, is left out. A
    reported pregnancy is screened as the condition 'pregnancy'.
    """
    latest: dict[tuple[InputKind, str], tuple[bool, list[str], str]] = {}
    for event in course.events:
        if isinstance(event, ConditionRecorded):
            key = (InputKind.CONDITION, _same_term(event.term))
            active, text = event.status == "active", event.term
        elif isinstance(event, AllergyRecorded):
            key = (InputKind.ALLERGY, _same_term(event.substance))
            active, text = True, event.substance
        elif isinstance(event, MedicationRecorded):
            key = (InputKind.MEDICATION, _same_term(event.name))
            active, text = event.status == "started", event.name
        elif isinstance(event, PregnancyReported):
            key = (InputKind.CONDITION, "pregnancy")
            active, text = True, "pregnancy"
        else:
            continue
        ids = [*latest[key][1], event.id] if key in latest else [event.id]
        latest[key] = (active, ids, text)
    return [
        ScreenedTerm(kind, text, tuple(ids))
        for (kind, _), (active, ids, text) in latest.items()
        if active
    ]


def evaluate_monitoring(
    knowledge: Knowledge,
    timeline: Timeline,
    as_of: dt.date,
    *,
    lab_schedule: str | None = None,
    stop_rule: str | None = None,
) -> MonitoringReport:
    """Run every monitoring rule over the course as of ``as_of``.

    The lab schedule and stop rule follow the timeline's policy unless ``lab_schedule`` /
    ``stop_rule`` name another position; the report says which was used either way.
    """
    require_policy(knowledge, timeline.policy)
    course = course_view(timeline, as_of)
    schedule_choice = choose_position(knowledge, timeline.policy, "lab_schedule", lab_schedule)
    stop_choice = choose_position(knowledge, timeline.policy, "abnormal_labs_stop_rule", stop_rule)
    readings, alerts = read_results(knowledge, course)
    alerts.extend(grade_alerts(knowledge, readings, timeline.policy))
    alerts.extend(rise_alerts(knowledge, readings, course))
    alerts.extend(stop_rule_alerts(knowledge, readings, course, stop_choice))
    due, overdue = labs_due(knowledge, readings, course, schedule_choice)
    alerts.extend(overdue)
    alerts.extend(adverse_event_alerts(knowledge, course))
    mood, mood_found = mood_alerts(knowledge, course)
    alerts.extend(mood_found)
    alerts.extend(assessment_concern_alerts(knowledge, course))
    terms = screened_terms(course)
    screening = screen_terms(
        knowledge,
        terms,
        age_years=course.age_years_on(as_of),
        product_id=course.current_product,
        policy_id=timeline.policy,
    )
    alerts.extend(screening_alerts(screening))
    alerts.extend(pregnancy_alerts(knowledge, course.events))
    ordered = sort_alerts(alerts)
    topics = list(dict.fromkeys(a.topic for a in ordered))
    safety = clinical_safety(knowledge, timeline, as_of)
    rules = hold_rule_by_code(knowledge)
    quiet = {
        topic
        for tracked in safety.alerts
        if tracked.holding
        for topic in rules[tracked.alert.code].suppress_myth_topics
    }
    choices = [c for c in (schedule_choice, stop_choice) if c is not None]
    return MonitoringReport(
        treatment=course.period,
        alerts=ordered,
        labs_due=due,
        risk_factors=find_risk_factors(knowledge, terms, course),
        screening=screening,
        mood=mood,
        education=choose_education(knowledge, course, topics, suppress_topics=quiet),
        policy_choices=[*choices, *screening.positions],
        safety=safety,
    )
