"""What the course pages show, computed from the engines' outputs for one course on one day.

The engines answer in their own models; this module turns those answers into rows a page can
print (dates, badges, citations) and into the urgency of a patient on the prescriber's list.
Nothing here decides anything clinical: it only orders and words what the engines said.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TypeVar

from markupsafe import Markup

from isotrack.domain.errors import IsotrackInputError
from isotrack.domain.events import Dispensed, LabResultRecorded
from isotrack.domain.timeline import Timeline, effective_events, events_of
from isotrack.engines.course_history import earlier_courses
from isotrack.engines.courses import EarlierCourse
from isotrack.engines.dose import DoseProgress, evaluate_dose
from isotrack.engines.monitoring import MonitoringReport, evaluate_monitoring
from isotrack.engines.programme import ProgrammeReport, evaluate_programme
from isotrack.engines.schedule import Schedule, build_schedule
from isotrack.knowledge import Knowledge
from isotrack.knowledge.model import Source, Verdict
from isotrack.service.clinic_settings import DisplayUnits
from isotrack.web.charts import Point, cumulative_dose_chart, lab_values_chart
from isotrack.web.decision_view import DecisionView, decision_view
from isotrack.web.history import HistoryRow, SourceRef, history_rows, source_refs
from isotrack.web.lab_thresholds import lab_series

T = TypeVar("T")


@dataclass(frozen=True)
class RequirementView:
    id: str
    title: str
    status: str
    due_date: dt.date | None
    evidence: list[str]
    rule_id: str
    detail: str
    sources: list[SourceRef]
    who: str
    gates_dispense: bool
    no_longer_applies: bool = False  # a condition of the first dispense, treatment has begun


@dataclass(frozen=True)
class AlertView:
    severity: str
    code: str
    message: str
    action: str
    sources: list[SourceRef]
    event_ids: list[str]


@dataclass(frozen=True)
class ScheduleRow:
    when_text: str
    first_day: dt.date | None
    last_day: dt.date | None
    who: str
    what: str
    status: str  # "overdue", "due" (today or open window) or "upcoming"
    requirement_id: str | None


@dataclass(frozen=True)
class DoseView:
    figures: list[tuple[str, str]]
    cumulative_mg_per_kg: float | None
    target_mg_per_kg: float | None
    target_text: str
    percent: int | None
    notes: list[str]
    chart: Markup
    # One line per course before this one: its dates and its own cumulative dose (issue 11,
    # item 10); never added to this course's figures.
    earlier_courses: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class LabChart:
    title: str
    svg: Markup


@dataclass(frozen=True)
class MythView:
    claim: str
    verdict_text: str
    badge: str
    correction: str
    sources: list[SourceRef]


@dataclass
class CourseView:
    """Everything the course, patient and today pages need for one course on one day."""

    course_id: str
    patient_name: str
    patient_id: str
    summary: str
    policy_id: str
    policy_title: str
    as_of: dt.date
    decision: DecisionView | None = None
    requirements: list[RequirementView] = field(default_factory=list)
    alerts: list[AlertView] = field(default_factory=list)
    schedule: list[ScheduleRow] = field(default_factory=list)
    dose: DoseView | None = None
    lab_charts: list[LabChart] = field(default_factory=list)
    myths: list[MythView] = field(default_factory=list)
    history: list[HistoryRow] = field(default_factory=list)
    unavailable: list[str] = field(default_factory=list)
    schedule_model: Schedule | None = None
    prescription_dispensed: bool = False  # the decision's prescription was already filled


def _fmt(value: float | None, unit: str, digits: int = 1) -> str:
    if value is None:
        return "unknown"
    return f"{value:,.{digits}f} {unit}".strip()


def _attempt(view: CourseView, section: str, compute: Callable[[], T]) -> T | None:
    """Run one engine; a refusal becomes a visible 'unavailable' note, never a blank page."""
    try:
        return compute()
    except (IsotrackInputError, KeyError, ValueError) as exc:
        view.unavailable.append(f"The {section} could not be evaluated: {exc}")
        return None


def _requirements(sources: Mapping[str, Source], report: ProgrammeReport) -> list[RequirementView]:
    return [
        RequirementView(
            id=r.id,
            title=r.title,
            status=str(r.status),
            due_date=r.due_date or r.window_end,
            evidence=list(r.event_ids),
            rule_id=r.rule_id,
            detail=r.message,
            sources=source_refs(sources, r.source_ids),
            who=str(r.who),
            gates_dispense=r.gates_dispense,
            no_longer_applies=r.no_longer_applies_since is not None,
        )
        for r in report.requirements
    ]


def _alerts(sources: Mapping[str, Source], report: MonitoringReport) -> list[AlertView]:
    rank = {"critical": 0, "warning": 1, "info": 2}
    alerts = [
        AlertView(
            severity=str(a.severity),
            code=a.code,
            message=a.message,
            action=a.action,
            sources=source_refs(sources, a.source_ids),
            event_ids=list(a.event_ids),
        )
        for a in report.alerts
    ]
    return sorted(alerts, key=lambda a: rank.get(a.severity, len(rank)))


def schedule_rows(schedule: Schedule, as_of: dt.date) -> list[ScheduleRow]:
    """Schedule items in date order with overdue / due / upcoming worked out for ``as_of``."""
    rows: list[ScheduleRow] = []
    for item in schedule.items:
        first = item.date or item.window_start
        last = item.date or item.window_end or item.window_start
        if item.date is not None:
            when = item.date.isoformat()
        elif item.window_start and item.window_end:
            when = f"{item.window_start.isoformat()} to {item.window_end.isoformat()}"
        else:
            known = first or last
            when = known.isoformat() if known is not None else "date unknown"
        if last is not None and last < as_of:
            status = "overdue"
        elif first is not None and first <= as_of:
            status = "due"
        else:
            status = "upcoming"
        rows.append(
            ScheduleRow(when, first, last, str(item.who), item.what, status, item.requirement_id)
        )
    return sorted(rows, key=lambda r: (r.first_day or dt.date.max, r.what))


def dose_view(
    knowledge: Knowledge, timeline: Timeline, progress: DoseProgress, as_of: dt.date
) -> DoseView:
    """Dose figures and the cumulative chart: weekly totals to date, then the projection."""
    target = progress.target
    low = target.low_mg_per_kg if target else None
    high = target.high_mg_per_kg if target else None
    if target is None:
        target_text = "no fixed target"
    elif low == high:
        target_text = f"{low:.0f} mg/kg"
    else:
        target_text = f"{low:.0f}–{high:.0f} mg/kg"
    basis = progress.default_weight_basis.replace("_", " ")
    figures = [
        ("Status", progress.status.replace("_", " ")),
        ("Current daily dose", _fmt(progress.current_daily_dose_mg, "mg", 0)),
        ("Cumulative dose", _fmt(progress.cumulative_mg, "mg", 0)),
        (f"Cumulative per kg ({basis})", _fmt(progress.cumulative_mg_per_kg, "mg/kg")),
        ("Average per day taken", _fmt(progress.average_mg_per_kg_per_day, "mg/kg/day", 2)),
        ("Days since first dose", "—" if progress.days_since_start is None
         else str(progress.days_since_start)),
        ("Days taken / missed / paused", f"{progress.days_taken} / {progress.days_missed} / "
         f"{progress.days_paused}"),
        ("Target", target_text),
        ("Remaining to target", _fmt(progress.remaining_mg, "mg", 0)),
        ("Projected last dose", progress.projected_end_date.isoformat()
         if progress.projected_end_date else "unknown"),
    ]  # fmt: skip
    taken: list[Point] = []
    start = progress.course_start
    if start is not None:
        day = start
        while day < as_of:
            sample = evaluate_dose(knowledge, timeline, day)
            if sample.cumulative_mg_per_kg is not None:
                taken.append(Point(day, sample.cumulative_mg_per_kg))
            day += dt.timedelta(days=7)
    if progress.cumulative_mg_per_kg is not None and start is not None:
        taken.append(Point(as_of, progress.cumulative_mg_per_kg))
    projected: list[Point] = []
    if progress.projected_end_date is not None and low is not None:
        projected.append(Point(progress.projected_end_date, low))
    percent = None
    if low and progress.cumulative_mg_per_kg is not None:
        percent = round(100 * progress.cumulative_mg_per_kg / low)
    return DoseView(
        figures=figures,
        cumulative_mg_per_kg=progress.cumulative_mg_per_kg,
        target_mg_per_kg=low,
        target_text=target_text,
        percent=percent,
        notes=list(progress.reasons),
        chart=cumulative_dose_chart(
            taken=taken, projected=projected, target_low=low, target_high=high, as_of=as_of
        ),
    )


def lab_charts(
    knowledge: Knowledge, timeline: Timeline, units: DisplayUnits | None = None
) -> list[LabChart]:
    """One chart per lab test recorded, with the thresholds the monitoring rules use, in the
    units the clinic shows."""
    results = events_of(effective_events(timeline), LabResultRecorded)
    charts: list[LabChart] = []
    for index, series in enumerate(lab_series(knowledge, results, units)):
        svg = lab_values_chart(
            test_label=series.test_name,
            unit=series.unit,
            points=series.points,
            thresholds=series.thresholds,
            chart_id=f"lab-{index}",
        )
        charts.append(LabChart(f"{series.test_name} ({series.unit})", svg))
    return charts


_VERDICT = {
    Verdict.TRUE: ("true", "ok"),
    Verdict.PARTLY_TRUE: ("partly true", "warning"),
    Verdict.FALSE: ("false", "critical"),
    Verdict.UNSUPPORTED: ("not supported by evidence", "warning"),
}


def myth_views(knowledge: Knowledge, myth_ids: Sequence[str]) -> list[MythView]:
    views = []
    for myth_id in myth_ids:
        myth = knowledge.myths.get(myth_id)
        if myth is None:
            continue
        text, badge = _VERDICT[myth.verdict]
        views.append(
            MythView(
                myth.claim,
                text,
                badge,
                myth.correction,
                source_refs(knowledge.sources, myth.source_ids),
            )
        )
    return views


def earlier_course_lines(found: Sequence[EarlierCourse]) -> list[str]:
    lines = []
    for course in found:
        start = course.start.isoformat() if course.start else "start not recorded"
        lines.append(
            f"Course {course.number}: {start} to {course.last_dose.isoformat()}, "
            f"{_fmt(course.cumulative_mg, 'mg', 0)} ({_fmt(course.cumulative_mg_per_kg, 'mg/kg')})"
        )
    return lines


def patient_summary(timeline: Timeline, as_of: dt.date) -> str:
    patient = timeline.patient
    category = "can get pregnant" if patient.can_get_pregnant else "cannot get pregnant"
    return f"{patient.age_years_on(as_of)} years, {patient.sex_at_birth}, {category}"


def build_course_view(
    knowledge: Knowledge,
    *,
    course_id: str,
    patient_name: str,
    timeline: Timeline,
    as_of: dt.date,
    include_history: bool = True,
    units: DisplayUnits | None = None,
) -> CourseView:
    """Run every engine over the course and shape the results for the pages."""
    sources = knowledge.sources
    policy_title = timeline.policy
    policy = knowledge.policies.get(timeline.policy)
    if policy is not None:
        policy_title = policy.title
    view = CourseView(
        course_id=course_id,
        patient_name=patient_name,
        patient_id=timeline.patient.id,
        summary=patient_summary(timeline, as_of),
        policy_id=timeline.policy,
        policy_title=policy_title,
        as_of=as_of,
    )
    report = _attempt(view, "programme", lambda: evaluate_programme(knowledge, timeline, as_of))
    if report is not None:
        view.requirements = _requirements(sources, report)
        view.decision = decision_view(sources, report.dispense_decision)
        filled = {d.prescription_id for d in events_of(effective_events(timeline), Dispensed)}
        view.prescription_dispensed = report.dispense_decision.prescription_id in filled
    monitoring = _attempt(
        view, "monitoring", lambda: evaluate_monitoring(knowledge, timeline, as_of)
    )
    if monitoring is not None:
        view.alerts = _alerts(sources, monitoring)
        view.myths = myth_views(knowledge, [m.myth_id for m in monitoring.education])
    schedule = _attempt(view, "schedule", lambda: build_schedule(knowledge, timeline, as_of))
    if schedule is not None:
        view.schedule_model = schedule
        view.schedule = schedule_rows(schedule, as_of)
    progress = _attempt(view, "dose progress", lambda: evaluate_dose(knowledge, timeline, as_of))
    if progress is not None:
        view.dose = dose_view(knowledge, timeline, progress, as_of)
        earlier = _attempt(
            view, "earlier courses", lambda: earlier_courses(knowledge, timeline, as_of)
        )
        if earlier:
            view.dose = replace(view.dose, earlier_courses=earlier_course_lines(earlier))
    if include_history:
        view.history = history_rows(timeline.events)
        view.lab_charts = lab_charts(knowledge, timeline, units)
    return view
