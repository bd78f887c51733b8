"""The ``response`` section: trend since baseline, clearance, flags, treat-to-clearance, relapse.

Only a prescriber's assessment sets the clearance date or a relapse; a patient's self-report is
shown beside it and never overwrites it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict

from isotrack.domain.events import AcneAssessment
from isotrack.domain.timeline import Timeline, effective_events, events_of
from isotrack.engines.monitoring.risk_factors import RiskFactorPresent
from isotrack.engines.periods import add_months
from isotrack.engines.response.trend import DAYS_PER_WEEK, Track, TrendPoint, build_track
from isotrack.engines.treatment_period import treatment_period
from isotrack.knowledge import Knowledge
from isotrack.knowledge.model import Position


class ResponseFlag(BaseModel):
    model_config = ConfigDict(frozen=True)
    id: Literal["early_flare", "no_improvement", "early_stop_possible"]
    severity: Literal["info", "caution"]
    message: str
    action: str
    source_ids: list[str]


class ClearanceDefinition(BaseModel):
    model_config = ConfigDict(frozen=True)
    position_id: str
    summary: str
    alternatives: list[str]
    source_ids: list[str]


class TreatToClearance(BaseModel):
    model_config = ConfigDict(frozen=True)
    chosen_by_policy: bool
    cleared_on: dt.date | None
    extra_months_low: int
    extra_months_high: int
    projected_end_earliest: dt.date | None
    projected_end_latest: dt.date | None
    message: str
    source_ids: list[str]


class RelapseWatch(BaseModel):
    model_config = ConfigDict(frozen=True)
    course_ended_on: dt.date
    relapse_on: dt.date | None
    relapse_event_id: str | None
    risk_factors: list[RiskFactorPresent]
    second_course_not_before: dt.date
    second_course_rule: str
    source_ids: list[str]


class ResponseReport(BaseModel):
    model_config = ConfigDict(frozen=True)
    as_of: dt.date
    definition: ClearanceDefinition
    prescriber: Track
    self_report: Track
    cleared_on: dt.date | None
    clearance_event_id: str | None
    self_reported_clear_on: dt.date | None
    flags: list[ResponseFlag]
    treat_to_clearance: TreatToClearance
    relapse: RelapseWatch | None
    slow_response_factors: list[RiskFactorPresent]


def _move(day: dt.date, position: Position) -> dt.date:
    amount = int(position.value or 0)
    if position.unit in ("week", "weeks"):
        return day + dt.timedelta(weeks=amount)
    return add_months(day, amount)


def _clear(knowledge: Knowledge, position_id: str, point: TrendPoint) -> bool:
    limit = knowledge.number(f"response.clearance.{position_id}.{point.scale}_max")
    return point.grade <= limit


def evaluate_response(
    knowledge: Knowledge,
    timeline: Timeline,
    as_of: dt.date,
    risk_factors: Sequence[RiskFactorPresent] = (),
    mg_per_kg_projected_end: dt.date | None = None,
) -> ResponseReport:
    """Response to treatment as of ``as_of``; ``risk_factors`` from the monitoring engine."""
    recorded = effective_events(timeline)
    period = treatment_period(recorded, as_of)
    assessments = [a for a in events_of(recorded, AcneAssessment) if a.date <= as_of]
    prescriber = build_track(knowledge, assessments, "prescriber", period.start)
    patient = build_track(knowledge, assessments, "patient", period.start)
    disagreement, position_id = knowledge.chosen_position(timeline.policy, "clearance_definition")
    chosen = disagreement.position(position_id)
    definition = ClearanceDefinition(
        position_id=position_id,
        summary=chosen.summary,
        alternatives=[p.summary for p in disagreement.positions if p.id != position_id],
        source_ids=list(chosen.source_ids),
    )
    started = period.start

    def first_clear(track: Track) -> TrendPoint | None:
        return next(
            (
                p
                for p in track.points
                if started and p.date > started and _clear(knowledge, position_id, p)
            ),
            None,
        )

    clearance = first_clear(prescriber)
    self_clear = first_clear(patient)
    slow = [f for f in risk_factors if "slow_response" in f.kinds]
    return ResponseReport(
        as_of=as_of,
        definition=definition,
        prescriber=prescriber,
        self_report=patient,
        cleared_on=clearance.date if clearance else None,
        clearance_event_id=clearance.event_id if clearance else None,
        self_reported_clear_on=self_clear.date if self_clear else None,
        flags=_flags(knowledge, prescriber, patient, slow, clearance is not None),
        treat_to_clearance=_treat_to_clearance(
            knowledge,
            timeline.policy,
            clearance.date if clearance else None,
            mg_per_kg_projected_end,
        ),
        relapse=_relapse(
            knowledge, timeline.policy, period.end, as_of, prescriber, position_id, risk_factors
        ),
        slow_response_factors=slow,
    )


def _flags(
    knowledge: Knowledge,
    prescriber: Track,
    patient: Track,
    slow: Sequence[RiskFactorPresent],
    cleared: bool,
) -> list[ResponseFlag]:
    flare_fact = knowledge.fact("response.early_flare_weeks")
    flare_weeks = knowledge.number(flare_fact.id)
    flags: list[ResponseFlag] = []
    worse_early = [
        p
        for track in (prescriber, patient)
        for p in track.points
        if p.week is not None
        and p.week <= flare_weeks
        and ((p.grade_change or 0) > 0 or (p.lesion_change_percent or 0) > 0)
    ]
    if worse_early:
        flags.append(
            ResponseFlag(
                id="early_flare",
                severity="info",
                message=f"Acne worse than at baseline in the first {flare_weeks:g} weeks "
                f"(from {worse_early[0].date.isoformat()}): an early flare is expected and is not "
                "treatment failure.",
                action="Keep the dose; treat the skin topically and review at the next visit.",
                source_ids=list(flare_fact.source_ids),
            )
        )
    latest = prescriber.latest
    if (
        not cleared
        and latest is not None
        and latest.week is not None
        and latest.week > flare_weeks
        and (latest.grade_change or 0) >= 0
        and (latest.lesion_change_percent is None or latest.lesion_change_percent >= 0)
    ):
        factors = "; ".join(f"{f.term}: {f.action}" for f in slow) or "none recorded"
        flags.append(
            ResponseFlag(
                id="no_improvement",
                severity="caution",
                message=f"No improvement on the prescriber's assessment at week {latest.week}, "
                f"past the {flare_weeks:g}-week flare window.",
                action="Check that conventional capsules are taken with a meal, then look for "
                f"slow-response factors ({factors}).",
                source_ids=sorted(
                    {*flare_fact.source_ids, "us-gen", *(s for f in slow for s in f.source_ids)}
                ),
            )
        )
    stop_fact = knowledge.fact("dosing.early_stop_nodule_reduction")
    nodules = latest.change_percent_by_type.get("nodules_cysts") if latest else None
    if nodules is not None and -nodules > knowledge.number(stop_fact.id):
        flags.append(
            ResponseFlag(
                id="early_stop_possible",
                severity="info",
                message=f"Nodules and cysts down {-nodules:g}% since baseline: the US label allows "
                f"stopping before the usual course length once they have fallen by more than "
                f"{knowledge.number(stop_fact.id):g}%.",
                action="Consider whether to stop or continue to the cumulative target.",
                source_ids=list(stop_fact.source_ids),
            )
        )
    return flags


def _treat_to_clearance(
    knowledge: Knowledge, policy_id: str, cleared_on: dt.date | None, mg_per_kg_end: dt.date | None
) -> TreatToClearance:
    disagreement, chosen = knowledge.chosen_position(policy_id, "cumulative_target")
    position = disagreement.position("treat_to_clearance")
    low, high = int(position.low or 0), int(position.high or 0)
    beside = f" The mg/kg projection ends on {mg_per_kg_end.isoformat()}." if mg_per_kg_end else ""
    if cleared_on is None:
        earliest = latest = None
        message = (
            "Treat to clearance: the end date depends on clearance, which the prescriber "
            f"has not yet recorded; the course then continues {low}-{high} months.{beside}"
        )
    else:
        earliest, latest = add_months(cleared_on, low), add_months(cleared_on, high)
        message = (
            f"Treat to clearance: clear on {cleared_on.isoformat()}, so the course ends "
            f"between {earliest.isoformat()} and {latest.isoformat()}.{beside}"
        )
    return TreatToClearance(
        chosen_by_policy=chosen == "treat_to_clearance",
        cleared_on=cleared_on,
        extra_months_low=low,
        extra_months_high=high,
        projected_end_earliest=earliest,
        projected_end_latest=latest,
        message=message,
        source_ids=list(position.source_ids),
    )


def _relapse(
    knowledge: Knowledge,
    policy_id: str,
    ended: dt.date | None,
    as_of: dt.date,
    prescriber: Track,
    position_id: str,
    risk_factors: Sequence[RiskFactorPresent],
) -> RelapseWatch | None:
    if ended is None or ended > as_of:
        return None
    after = [p for p in prescriber.points if p.date > ended]
    returned = next((p for p in after if not _clear(knowledge, position_id, p)), None)
    disagreement, wait_id = knowledge.chosen_position(policy_id, "second_course_wait")
    wait = disagreement.position(wait_id)
    repeat = knowledge.fact("dosing.relapse_repeat_course")
    return RelapseWatch(
        course_ended_on=ended,
        relapse_on=returned.date if returned else None,
        relapse_event_id=returned.event_id if returned else None,
        risk_factors=[f for f in risk_factors if "relapse" in f.kinds],
        second_course_not_before=_move(ended, wait),
        second_course_rule=f"{wait.summary} {repeat.text}",
        source_ids=sorted({*wait.source_ids, *repeat.source_ids}),
    )


__all__ = ["DAYS_PER_WEEK", "ResponseReport", "evaluate_response"]
