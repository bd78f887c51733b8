"""Mood monitoring: PHQ-9 scoring and alerts, overdue screens, and concerns found at assessments.

The PHQ-9 total is the sum of its nine items (0-27); item 9 (thoughts of death or self-harm) is
the last item. The baseline is the latest screen on or before the first dose, else the first
screen recorded.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict

from isotrack.domain.events import AssessmentDone, MoodScreened
from isotrack.domain.timeline import events_of
from isotrack.engines.monitoring.alerts import Alert, merge_sources
from isotrack.engines.monitoring.course import CourseView
from isotrack.engines.periods import fact_days
from isotrack.knowledge import Knowledge
from isotrack.knowledge.monitoring import Phq9Band, Severity, phq9_bands

ITEM9_FACT = "mood.phq9.item9_alert_min_points"
RISE_FACT = "mood.phq9.rise_alert_points"
INTERVAL_FACT = "mood.phq9.screen_interval_months"
GRACE_FACT = "mood.phq9.overdue_grace_days"
CONCERN_FACT = "mood.assessment_concern_review"
ITEM9_CODE = "MOOD_SUICIDAL_IDEATION"


class MoodStatus(BaseModel):
    """The latest PHQ-9, its band, the change from baseline and when the next one is due."""

    model_config = ConfigDict(frozen=True)

    latest_total: int | None
    latest_band: str | None
    latest_date: dt.date | None
    item9_score: int | None
    baseline_total: int | None
    change_from_baseline: int | None
    next_due: dt.date | None
    source_ids: list[str]


def phq9_total(screen: MoodScreened) -> int:
    return sum(screen.item_scores)


def phq9_band(knowledge: Knowledge, total: int) -> Phq9Band | None:
    for band in phq9_bands(knowledge):
        if band.low <= total <= band.high:
            return band
    return None


def _baseline(screens: list[MoodScreened], course: CourseView) -> MoodScreened | None:
    if not screens:
        return None
    if course.start is not None:
        before = [s for s in screens if s.date <= course.start]
        if before:
            return before[-1]
    return screens[0]


def screen_alerts(knowledge: Knowledge, screen: MoodScreened) -> list[Alert]:
    """The alerts one PHQ-9 raises on its own: its band, and item 9 above 'not at all'.

    The monitoring section shows them for the latest screen; the holds engine reads every
    screen, because an item-9 answer stays open until a prescriber reviews it.
    """
    alerts: list[Alert] = []
    total = phq9_total(screen)
    band = phq9_band(knowledge, total)
    if band is not None and band.severity is not None:
        alerts.append(
            Alert(
                severity=band.severity,
                code=f"MOOD_PHQ9_{band.id.removeprefix('phq9.').upper()}",
                topic="mood",
                message=f"PHQ-9 total {total} on {screen.date.isoformat()}: "
                f"{band.label} depressive symptoms ({band.low}-{band.high}).",
                action=band.action,
                source_ids=list(band.source_ids),
                event_ids=[screen.id],
            )
        )
    item9 = screen.item_scores[-1]
    if item9 >= knowledge.number(ITEM9_FACT):
        alerts.append(
            Alert(
                severity=Severity.CRITICAL,
                code=ITEM9_CODE,
                topic="mood",
                message=f"PHQ-9 item 9 (thoughts of death or self-harm) scored {item9} on "
                f"{screen.date.isoformat()} (total {total}).",
                action="Assess suicide risk the same day in person; stop isotretinoin and "
                "refer to mental-health services; make sure the patient is safe and has "
                "crisis contacts.",
                source_ids=list(knowledge.fact(ITEM9_FACT).source_ids),
                event_ids=[screen.id],
            )
        )
    return alerts


def mood_alerts(knowledge: Knowledge, course: CourseView) -> tuple[MoodStatus, list[Alert]]:
    """Alerts from the PHQ-9 screens so far, and the mood summary."""
    screens = events_of(course.events, MoodScreened)
    alerts: list[Alert] = []
    latest = screens[-1] if screens else None
    baseline = _baseline(screens, course)
    band: Phq9Band | None = None
    change: int | None = None
    if latest is not None:
        total = phq9_total(latest)
        band = phq9_band(knowledge, total)
        alerts.extend(screen_alerts(knowledge, latest))
        if baseline is not None and baseline.id != latest.id:
            change = total - phq9_total(baseline)
            if change >= knowledge.number(RISE_FACT):
                alerts.append(
                    Alert(
                        severity=Severity.WARNING,
                        code="MOOD_PHQ9_RISE",
                        topic="mood",
                        message=f"PHQ-9 rose {change} points from the baseline "
                        f"{phq9_total(baseline)} ({baseline.date.isoformat()}) to {total} "
                        f"({latest.date.isoformat()}); flagged from "
                        f"{knowledge.number(RISE_FACT):g} points.",
                        action="Review mood at a visit before the next prescription and ask about "
                        "suicidal thoughts; stop and refer if depression is developing.",
                        source_ids=list(knowledge.fact(RISE_FACT).source_ids),
                        event_ids=[baseline.id, latest.id],
                    )
                )
    next_due, overdue = _next_screen(knowledge, course, latest)
    if overdue is not None:
        alerts.append(overdue)
    status = MoodStatus(
        latest_total=phq9_total(latest) if latest else None,
        latest_band=band.label if band else None,
        latest_date=latest.date if latest else None,
        item9_score=latest.item_scores[-1] if latest else None,
        baseline_total=phq9_total(baseline) if baseline else None,
        change_from_baseline=change,
        next_due=next_due,
        source_ids=merge_sources(
            knowledge.fact(INTERVAL_FACT).source_ids, band.source_ids if band else []
        ),
    )
    return status, alerts


def _next_screen(
    knowledge: Knowledge, course: CourseView, latest: MoodScreened | None
) -> tuple[dt.date | None, Alert | None]:
    """When the next PHQ-9 is due during treatment, and an alert if it is overdue."""
    if course.start is None:
        return (None if latest else course.as_of), None
    if not course.on_treatment:
        return None, None
    interval = dt.timedelta(days=fact_days(knowledge, INTERVAL_FACT))
    grace = dt.timedelta(days=fact_days(knowledge, GRACE_FACT))
    due = latest.date + interval if latest else course.start
    if course.as_of <= due + grace:
        return due, None
    last = f"last screen {latest.date.isoformat()}" if latest else "no screen recorded"
    return due, Alert(
        severity=Severity.WARNING,
        code="MOOD_SCREEN_OVERDUE",
        topic="mood",
        message=f"PHQ-9 overdue: due {due.isoformat()} ({last}).",
        action="Screen mood with the PHQ-9 at the next contact, before the next prescription.",
        source_ids=merge_sources(
            knowledge.fact(INTERVAL_FACT).source_ids, knowledge.fact(GRACE_FACT).source_ids
        ),
        event_ids=[latest.id] if latest else [],
    )


def assessment_concern_alerts(knowledge: Knowledge, course: CourseView) -> list[Alert]:
    """A warning for each assessment kind whose latest assessment recorded a concern.

    Whether an assessment is missing is the programme engine's requirement (UK-MH-02a..d);
    monitoring only follows up what an assessment found.
    """
    review = knowledge.fact(CONCERN_FACT)
    alerts: list[Alert] = []
    assessments = events_of(course.events, AssessmentDone)
    for kind in review.applies_to:
        done = [a for a in assessments if a.kind == kind]
        if not done or not done[-1].concern:
            continue
        latest = done[-1]
        alerts.append(
            Alert(
                severity=Severity.WARNING,
                code="ASSESSMENT_CONCERN",
                topic="assessment",
                message=f"The latest {kind.replace('_', ' ')} assessment "
                f"({latest.date.isoformat()}) recorded a concern"
                + (f": {latest.outcome}" if latest.outcome else "."),
                action=knowledge.statement(CONCERN_FACT),
                source_ids=list(review.source_ids),
                event_ids=[latest.id],
            )
        )
    return alerts
