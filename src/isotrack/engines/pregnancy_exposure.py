"""The pregnancy exposure record: what a prescriber needs once a pregnancy is known on treatment.

Opened by the latest positive pregnancy test or ``pregnancy_reported`` of the course; followed
until a ``pregnancy_outcome`` event dated on or after it closes the follow-up. Dating follows
the knowledge fact ``pregnancy.conception_days_after_lmp`` (gestational age counted from the
first day of the last menstrual period, conception two weeks later); without a recorded LMP the
estimated conception and the gestational age stay unknown, never guessed.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict

from isotrack.domain.events import (
    Dispensed,
    EventBase,
    PregnancyOutcome,
    PregnancyOutcomeRecorded,
    PregnancyReported,
    PregnancyTestTaken,
    TestResult,
)
from isotrack.domain.timeline import Timeline, events_of
from isotrack.engines.course_events import course_on
from isotrack.engines.dose import evaluate_dose
from isotrack.engines.monitoring.alerts import merge_sources
from isotrack.knowledge import Knowledge
from isotrack.knowledge.safety import pregnancy_findings, reporting_duties

CONCEPTION_FACT = "pregnancy.conception_days_after_lmp"
DAYS_PER_WEEK = dt.timedelta(weeks=1).days


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class ReportingTask(Frozen):
    report_to: str
    how: str
    who: str
    source_ids: list[str]


class PregnancyExposure(Frozen):
    """Dates, exposure and duties of a pregnancy exposed to isotretinoin (``None`` = unknown)."""

    known_on: dt.date
    event_id: str
    detected_by: str  # "positive pregnancy test" or "pregnancy reported"
    last_dose_date: dt.date | None
    last_dose_basis: str
    last_menstrual_period: dt.date | None
    estimated_conception_date: dt.date | None
    gestational_age_at_last_dose_days: int | None
    gestational_age_at_last_dose: str | None  # "6 weeks 2 days"
    exposed_after_conception: bool | None
    dating_rule: str
    dating_source_ids: list[str]
    cumulative_mg: float | None
    cumulative_mg_per_kg: float | None
    reporting: list[ReportingTask]
    referral: str
    referral_source_ids: list[str]
    follow_up_open: bool
    follow_up_tasks: list[str]
    outcome: PregnancyOutcome | None = None
    outcome_recorded_on: dt.date | None = None
    outcome_details: str | None = None


def _findings(events: tuple[EventBase, ...]) -> list[PregnancyTestTaken | PregnancyReported]:
    return [
        e
        for e in events
        if isinstance(e, PregnancyReported)
        or (isinstance(e, PregnancyTestTaken) and e.result is TestResult.POSITIVE)
    ]


def _last_dose(
    events: tuple[EventBase, ...], recorded_end: dt.date | None, known_on: dt.date
) -> tuple[dt.date | None, str]:
    if recorded_end is not None:
        return recorded_end, "recorded last dose (course end)"
    supplied = [e.date + dt.timedelta(days=e.days_supply - 1) for e in events_of(events, Dispensed)]
    if not supplied:
        return None, "no dispense on record: the patient may not have taken any dose"
    covered = max(supplied)
    if covered >= known_on:
        return known_on, "no last dose recorded: assumed taken until the pregnancy was known"
    return covered, "no last dose recorded: the last day the dispensed supply covered"


def pregnancy_exposure(
    knowledge: Knowledge, timeline: Timeline, as_of: dt.date
) -> PregnancyExposure | None:
    """The exposure record of the course on ``as_of``; ``None`` when no pregnancy is known."""
    events, period = course_on(timeline, as_of)
    found = _findings(events)
    if not found:
        return None
    finding = found[-1]
    lmp = next(
        (e.last_menstrual_period for e in reversed(found) if isinstance(e, PregnancyReported)
         and e.last_menstrual_period is not None),
        None,
    )  # fmt: skip
    last_dose, basis = _last_dose(events, period.end, finding.date)
    fact = knowledge.fact(CONCEPTION_FACT)
    conception = lmp + dt.timedelta(days=knowledge.number(CONCEPTION_FACT)) if lmp else None
    age_days = (last_dose - lmp).days if lmp and last_dose and last_dose >= lmp else None
    dose = evaluate_dose(knowledge, timeline, last_dose) if last_dose else None
    market = knowledge.policy(timeline.policy).market.lower()
    duties = [
        ReportingTask(report_to=d.report_to, how=d.how, who=d.who, source_ids=d.source_ids)
        for d in reporting_duties(knowledge, market)
    ]
    referral = pregnancy_findings(knowledge)[
        "positive_test" if isinstance(finding, PregnancyTestTaken) else "reported"
    ]
    outcome = next(
        (e for e in events_of(events, PregnancyOutcomeRecorded) if e.date >= finding.date), None
    )
    tasks = [f"Report to {d.report_to}: {d.how}" for d in duties]
    tasks.append("Refer to an obstetrician experienced in teratology (reproductive toxicity).")
    if outcome is None:
        tasks.append("Record the outcome of the pregnancy when it is known.")
    return PregnancyExposure(
        known_on=finding.date,
        event_id=finding.id,
        detected_by="pregnancy reported"
        if isinstance(finding, PregnancyReported)
        else "positive pregnancy test",
        last_dose_date=last_dose,
        last_dose_basis=basis,
        last_menstrual_period=lmp,
        estimated_conception_date=conception,
        gestational_age_at_last_dose_days=age_days,
        gestational_age_at_last_dose=(
            f"{age_days // DAYS_PER_WEEK} weeks {age_days % DAYS_PER_WEEK} days"
            if age_days is not None
            else None
        ),
        exposed_after_conception=(
            last_dose >= conception if conception is not None and last_dose else None
        ),
        dating_rule=f"Gestational age from the first day of the last menstrual period; "
        f"conception estimated {knowledge.number(CONCEPTION_FACT):g} days after it. "
        "Unknown without a recorded last menstrual period.",
        dating_source_ids=list(fact.source_ids),
        cumulative_mg=dose.cumulative_mg if dose else None,
        cumulative_mg_per_kg=dose.cumulative_mg_per_kg if dose else None,
        reporting=duties,
        referral=referral.action,
        referral_source_ids=merge_sources(referral.source_ids),
        follow_up_open=outcome is None,
        follow_up_tasks=tasks,
        outcome=outcome.outcome if outcome else None,
        outcome_recorded_on=outcome.date if outcome else None,
        outcome_details=outcome.details if outcome else None,
    )
