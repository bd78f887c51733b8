"""The readable ``Response to treatment`` and ``Drug levels`` sections of ``isotrack evaluate``."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from isotrack.engines.pk.summary import PkSummary
from isotrack.engines.response.report import ResponseReport

WHO = {"prescriber": "prescriber", "patient": "patient (self-report)"}


def response_view(report: ResponseReport) -> RenderableType:
    parts: list[RenderableType] = []
    table = Table("date", "week", "assessed by", "grade", "change", "lesions", "change %")
    points = sorted([*report.prescriber.points, *report.self_report.points], key=lambda p: p.date)
    by = {p.event_id: "prescriber" for p in report.prescriber.points}
    for point in points:
        table.add_row(
            point.date.isoformat(),
            "" if point.week is None else str(point.week),
            WHO[by.get(point.event_id, "patient")],
            f"{point.scale.upper()} {point.grade} ({point.grade_label})",
            "" if point.grade_change is None else f"{point.grade_change:+d}",
            "" if point.lesion_total is None else str(point.lesion_total),
            "" if point.lesion_change_percent is None else f"{point.lesion_change_percent:+g}",
        )
    if not points:
        parts.append(Text("No acne assessment recorded."))
    else:
        parts.append(table)
    cleared = report.cleared_on.isoformat() if report.cleared_on else "not yet recorded"
    parts.append(Text(f"Clearance: {cleared}. Counted as clear: {report.definition.summary}"))
    if report.self_reported_clear_on and not report.cleared_on:
        parts.append(Text(
            f"The patient reports clear skin since {report.self_reported_clear_on.isoformat()}; "
            "clearance is set by the prescriber's assessment."
        ))  # fmt: skip
    for flag in report.flags:
        parts.append(Text(f"{flag.message} {flag.action}"))
    parts.append(Text(report.treat_to_clearance.message))
    if report.relapse is not None:
        relapse = report.relapse
        when = relapse.relapse_on.isoformat() if relapse.relapse_on else "none recorded"
        parts.append(Text(
            f"After the course: relapse {when}; a second course not before "
            f"{relapse.second_course_not_before.isoformat()}. {relapse.second_course_rule}"
        ))  # fmt: skip
    return Group(*parts)


def pk_view(summary: PkSummary | None) -> RenderableType:
    if summary is None or summary.washout is None:
        return Text("No dose counted yet.")
    w = summary.washout
    parent = (
        "beyond the modelled time"
        if w.isotretinoin_days is None
        else f"{w.isotretinoin_days:g} days"
    )
    oxo = (
        "beyond the modelled time"
        if w.oxo_isotretinoin_days is None
        else f"{w.oxo_isotretinoin_days:g} days"
    )
    lines = [
        f"Estimated return to natural levels after the latest dose: isotretinoin {parent}, "
        f"4-oxo-isotretinoin {oxo}.",
        *(f"{r.title}: {r.rule_days} days ({'covers it' if r.covered else 'does NOT cover it'})."
          for r in w.rules),
        *summary.notes,
    ]  # fmt: skip
    return Text("\n".join(lines))
