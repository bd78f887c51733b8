"""The course's biology shaped for the pages: the response section and the drug-level sections.

Words, not field names: grades by their scale's label, dates in full, sources in people's words.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from markupsafe import Markup

from isotrack.domain.events import Dispensed
from isotrack.domain.timeline import Timeline, effective_events, events_of
from isotrack.engines.dose import evaluate_dose
from isotrack.engines.pk.report import PkReport
from isotrack.engines.response import ResponseReport
from isotrack.engines.response.trend import Track, TrendPoint
from isotrack.knowledge import Knowledge
from isotrack.knowledge.response import GradingScale
from isotrack.service.biology import CourseBiology
from isotrack.web.biology_charts import Mark, levels_chart, response_chart
from isotrack.web.plain_sources import PlainSource, plain_sources
from isotrack.web.templating import long_date

HOURS_PER_DAY = 24
WEEK = dt.timedelta(weeks=1)


@dataclass(frozen=True)
class TrendRow:
    date: dt.date
    week: str
    grade: str
    change: str
    lesions: str
    scarring: str


@dataclass(frozen=True)
class FlagView:
    severity: str
    message: str
    action: str


@dataclass
class ResponseView:
    definition: str
    baseline: str
    latest: str
    clearance: str
    self_report: str
    treat_to_clearance: str
    mg_per_kg_end: str
    relapse: str
    rows: list[TrendRow] = field(default_factory=list)
    self_rows: list[TrendRow] = field(default_factory=list)
    flags: list[FlagView] = field(default_factory=list)
    chart: Markup = field(default_factory=Markup)


@dataclass
class LevelsView:
    chart: Markup
    steady: str
    washout: str
    rules: list[tuple[str, str, str]]
    notes: list[str]
    sources: list[PlainSource]


def _grade(scales: dict[str, GradingScale], point: TrendPoint) -> str:
    if point.scale == "gags":
        return f"{point.grade_label} (GAGS score {point.grade})"
    return f"{point.grade_label} (IGA {point.grade})"


def _row(scales: dict[str, GradingScale], point: TrendPoint, baseline: bool = False) -> TrendRow:
    change = "—"
    if baseline:
        change = "baseline"
    elif point.grade_change is not None:
        steps = abs(point.grade_change)
        word = "better" if point.grade_change < 0 else "worse"
        change = "no change" if steps == 0 else f"{steps} grade{'s' if steps > 1 else ''} {word}"
    lesions = "not counted" if point.lesion_total is None else str(point.lesion_total)
    if point.lesion_change_percent is not None and not baseline:
        lesions += f" ({point.lesion_change_percent:+.0f} % since baseline)"
    return TrendRow(
        date=point.date,
        week="before treatment" if point.week is None else f"week {point.week}",
        grade=_grade(scales, point),
        change=change,
        lesions=lesions,
        scarring=point.scarring or "not recorded",
    )


def _is_base(track: Track, point: TrendPoint) -> bool:
    return track.baseline is not None and track.baseline.event_id == point.event_id


def _summary(scales: dict[str, GradingScale], track: Track, who: str) -> tuple[str, str]:
    if track.baseline is None or track.latest is None:
        return f"No {who} assessment recorded yet.", ""
    base = track.baseline
    baseline = f"Baseline {long_date(base.date)}: {_grade(scales, base)}"
    if base.lesion_total is not None:
        baseline += f", {base.lesion_total} lesions counted"
    if track.baseline_note:
        baseline += f" ({track.baseline_note})"
    if track.latest.event_id == base.event_id:
        return baseline + ".", ""
    row = _row(scales, track.latest)
    latest = f"Latest {long_date(row.date)} ({row.week}): {row.grade}, {row.change}"
    if track.latest.lesion_change_percent is not None:
        latest += f"; lesions {track.latest.lesion_change_percent:+.0f} %"
    return baseline + ".", latest + "."


def _cumulative(knowledge: Knowledge, timeline: Timeline, start: dt.date | None,
                as_of: dt.date) -> list[Mark]:  # fmt: skip
    marks: list[Mark] = []
    if start is None:
        return marks
    days = []
    day = start
    while day < as_of:
        days.append(day)
        day += WEEK
    for day in [*days, as_of]:
        value = evaluate_dose(knowledge, timeline, day).cumulative_mg_per_kg
        if value is not None:
            marks.append(Mark(day, value))
    return marks


def response_view(knowledge: Knowledge, biology: CourseBiology) -> ResponseView:
    """Trend since baseline, clearance, flags with actions, treat-to-clearance beside mg/kg."""
    report: ResponseReport = biology.assessment.response
    dose = biology.assessment.dose
    scales = dict(knowledge.records("grading_scale", GradingScale))
    baseline, latest = _summary(scales, report.prescriber, "prescriber")
    clearance = (
        f"Clear since {long_date(report.cleared_on)}."
        if report.cleared_on
        else "Not clear yet by the prescriber's assessments."
    )
    self_line = "No self-report yet."
    if report.self_report.latest is not None:
        own = report.self_report.latest
        self_line = (
            f"The patient's latest self-report ({long_date(own.date)}): {_grade(scales, own)}."
        )
        if report.self_reported_clear_on:
            self_line += (
                f" The patient reported clear skin on {long_date(report.self_reported_clear_on)}; "
                "only the prescriber's assessment sets the clearance date."
            )
    ttc = report.treat_to_clearance
    ttc_line = ttc.message
    if ttc.projected_end_earliest and ttc.projected_end_latest:
        ttc_line = (
            f"Treat to clearance: last dose between {long_date(ttc.projected_end_earliest)} and "
            f"{long_date(ttc.projected_end_latest)} ({ttc.extra_months_low}–"
            f"{ttc.extra_months_high} months after clearance"
            + ("" if ttc.chosen_by_policy else "; this policy itself aims at the mg/kg target")
            + ")."
        )
    mg_end = (
        f"By cumulative mg/kg: last dose about {long_date(dose.projected_end_date)}."
        if dose.projected_end_date
        else "By cumulative mg/kg: no projected end yet."
    )
    relapse = ""
    if report.relapse is not None:
        watch = report.relapse
        relapse = (
            f"Relapse recorded on {long_date(watch.relapse_on)}. "
            if watch.relapse_on
            else "No relapse recorded since the course ended on "
            f"{long_date(watch.course_ended_on)}. "
        ) + f"{watch.second_course_rule} (not before {long_date(watch.second_course_not_before)})."
    marks = _cumulative(knowledge, biology.timeline, dose.course_start, biology.assessment.as_of)
    points = report.prescriber.points
    scale = points[-1].scale if points else "iga"
    chart = response_chart(
        grades=[Mark(p.date, p.grade) for p in points if p.scale == scale],
        self_grades=[Mark(p.date, p.grade) for p in report.self_report.points if p.scale == scale],
        grade_max=scales[scale].maximum,
        scale_name=scale.upper(),
        lesions=[Mark(p.date, p.lesion_total) for p in points if p.lesion_total is not None],
        cumulative_mg_per_kg=marks,
    )
    return ResponseView(
        definition=f"Clear means: {report.definition.summary}",
        baseline=baseline,
        latest=latest,
        clearance=clearance,
        self_report=self_line,
        treat_to_clearance=ttc_line,
        mg_per_kg_end=mg_end,
        relapse=relapse,
        rows=[_row(scales, p, _is_base(report.prescriber, p)) for p in points],
        self_rows=[
            _row(scales, p, _is_base(report.self_report, p)) for p in report.self_report.points
        ],
        flags=[FlagView(f.severity, f.message, f.action) for f in report.flags],
        chart=chart,
    )


def _days(value: float | None) -> str:
    return "longer than the modelled two months" if value is None else f"about {value:.0f} days"


def dispense_days(timeline: Timeline) -> list[dt.date]:
    return sorted(d.date for d in events_of(effective_events(timeline), Dispensed))


def levels_view(knowledge: Knowledge, report: PkReport, dispensed: Sequence[dt.date]) -> LevelsView:
    """The course's estimated levels with its dispenses marked, and the washout after the latest
    counted dose beside the one-month rules."""
    first = report.first_dose_date or dt.date.today()
    marks = [(max(d, first), f"dispensed {long_date(d)}") for d in dispensed]
    w = report.washout
    chart = levels_chart(
        time_h=report.curve.time_h,
        isotretinoin=report.curve.isotretinoin_ng_per_ml,
        oxo=report.curve.oxo_isotretinoin_ng_per_ml,
        first_day=first,
        marked_days=marks,
    )
    washout = ""
    rules: list[tuple[str, str, str]] = []
    sources = plain_sources(knowledge, report.source_ids)
    if w is not None:
        washout = (
            "If the latest counted dose were the last: isotretinoin back under the body's own "
            f"level ({w.isotretinoin_endogenous_ng_per_ml:g} ng/mL) in "
            f"{_days(w.isotretinoin_days)}, 4-oxo-isotretinoin "
            f"({w.oxo_isotretinoin_endogenous_ng_per_ml:g} ng/mL) in "
            f"{_days(w.oxo_isotretinoin_days)}."
        )
        rules = [
            (r.title, f"{r.rule_days} days", "yes" if r.covered else "no — longer than the rule")
            for r in w.rules
        ]
        sources = plain_sources(knowledge, [*report.source_ids, *w.source_ids])
    steady = (
        f"Levels steady from about day {report.steady_state_day} of dosing."
        if report.steady_state_day
        else ""
    )
    return LevelsView(chart, steady, washout, rules, list(report.notes), sources)
