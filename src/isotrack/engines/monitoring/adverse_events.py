"""Reported adverse events: advice for expected effects, critical alerts for red flags."""

from __future__ import annotations

from isotrack.domain.events import AdverseEventReported
from isotrack.domain.timeline import events_of
from isotrack.engines.monitoring.alerts import Alert, merge_sources
from isotrack.engines.monitoring.course import CourseView
from isotrack.engines.monitoring.terms import Vocabulary, term_keys
from isotrack.knowledge import Knowledge
from isotrack.knowledge.monitoring import AdverseEffect, Severity, adverse_effects

SEVERE_GRADE_FACT = "adverse.severe_grade"


def adverse_effect_vocabulary(knowledge: Knowledge) -> Vocabulary[AdverseEffect]:
    return knowledge.derived(
        ("monitoring.vocabulary", "adverse_effects"),
        lambda: Vocabulary((e, term_keys(e.term, e.synonyms)) for e in adverse_effects(knowledge)),
    )


def match_adverse_effect(knowledge: Knowledge, term: str) -> AdverseEffect | None:
    """The catalogue entry for a reported term; a red flag wins when several match."""
    matches = adverse_effect_vocabulary(knowledge).match(term)
    if not matches:
        return None
    return sorted(matches, key=lambda e: not e.red_flag)[0]


def adverse_event_alerts(knowledge: Knowledge, course: CourseView) -> list[Alert]:
    """One alert per reported adverse event: red flag critical, severe warning, else advice."""
    severe_grade = knowledge.number(SEVERE_GRADE_FACT)
    severe_sources = knowledge.fact(SEVERE_GRADE_FACT).source_ids
    alerts: list[Alert] = []
    for event in events_of(course.events, AdverseEventReported):
        when = f"{event.term!r} reported on {event.date.isoformat()} (grade {event.severity})"
        effect = match_adverse_effect(knowledge, event.term)
        if effect is None:
            alerts.append(
                Alert(
                    severity=Severity.WARNING,
                    code="ADVERSE_TERM_UNKNOWN",
                    topic="adverse_event",
                    message=f"{when} is not in the adverse-effect catalogue, so it could not "
                    "be checked against red flags.",
                    action="Review the report in person and record it with a catalogue term.",
                    event_ids=[event.id],
                )
            )
            continue
        if effect.red_flag:
            alerts.append(
                Alert(
                    severity=Severity.CRITICAL,
                    code="ADVERSE_RED_FLAG",
                    topic="adverse_event",
                    message=f"Red flag: {effect.term} — {when}.",
                    action=effect.action,
                    source_ids=list(effect.source_ids),
                    event_ids=[event.id],
                )
            )
            continue
        severe = event.severity >= severe_grade
        severity = effect.alert_severity or (Severity.WARNING if severe else Severity.INFO)
        if severe and severity is Severity.INFO:
            severity = Severity.WARNING
        alerts.append(
            Alert(
                severity=severity,
                code="ADVERSE_EFFECT_SEVERE" if severe else "ADVERSE_EFFECT",
                topic="adverse_event",
                message=f"{effect.term} — {when}. Expected frequency: {effect.frequency}",
                action=f"{effect.action} Advice for the patient: {effect.advice}",
                source_ids=merge_sources(effect.source_ids, severe_sources if severe else []),
                event_ids=[event.id],
            )
        )
    return alerts
