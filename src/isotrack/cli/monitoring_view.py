"""Rich rendering of the monitoring section and of a screening report."""

from __future__ import annotations

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from isotrack.engines.monitoring import (
    MonitoringReport,
    PolicyChoice,
    ScreeningReport,
    Severity,
)

SEVERITY_STYLE = {
    Severity.CRITICAL: "bold red",
    Severity.WARNING: "yellow",
    Severity.INFO: "cyan",
}
CATEGORY_STYLE = {
    "absolute_contraindication": "bold red",
    "relative_contraindication": "yellow",
    "interaction": "magenta",
}
# How many education items the table shows; the JSON output carries them all.
EDUCATION_SHOWN = 5


def _table(*columns: str) -> Table:
    table = Table(show_header=True, header_style="bold", box=None, padding=(0, 1))
    for column in columns:
        table.add_column(column, overflow="fold")
    return table


def _choice_line(choice: PolicyChoice) -> Text:
    """Which position of a disagreement was used, who chose it, and what else sources say."""
    return Text(
        f"{choice.disagreement}: {choice.position} (chosen by {choice.chosen_by}; "
        f"alternatives: {', '.join(choice.alternatives)})",
        style="dim",
    )


def screening_view(report: ScreeningReport) -> RenderableType:
    """Findings (absolute first), unknown inputs, recognised inputs, and policy positions used."""
    parts: list[RenderableType] = []
    heading = f"age: {report.age_years if report.age_years is not None else 'not given'}"
    heading += f"   product: {report.product or 'not given'}"
    parts.append(Text(heading, style="dim"))
    if report.findings:
        findings = _table("category", "input", "matched", "effect / note", "action", "sources")
        order = list(CATEGORY_STYLE)
        for finding in sorted(report.findings, key=lambda f: order.index(f.category)):
            detail = "; ".join(x for x in (finding.effect, finding.note) if x)
            findings.add_row(
                Text(f"{finding.category.replace('_', ' ')} ({finding.level})",
                     style=CATEGORY_STYLE[finding.category]),
                f"{finding.input_kind}: {finding.input}",
                finding.term,
                detail,
                finding.action,
                ", ".join(finding.source_ids),
            )  # fmt: skip
        parts.append(findings)
    else:
        parts.append(Text("no contraindication or interaction found", style="green"))
    if report.unknown:
        unknown = _table("unknown input", "why it matters")
        for item in report.unknown:
            unknown.add_row(
                Text(f"{item.input_kind}: {item.input or '-'}", style="bold yellow"), item.message
            )
        parts.append(unknown)
    if report.recognised:
        recognised = _table("recognised", "as", "note")
        for term in report.recognised:
            recognised.add_row(f"{term.input_kind}: {term.input}", term.term, term.note)
        parts.append(recognised)
    parts.extend(_choice_line(choice) for choice in report.positions)
    return Panel(Group(*parts), title="Screening", title_align="left")


def monitoring_view(report: MonitoringReport) -> RenderableType:
    """Alerts critical first, labs due, mood, risk factors, screening and education."""
    parts: list[RenderableType] = []
    if report.alerts:
        alerts = _table("severity", "alert id", "what", "action", "sources", "events")
        for alert in report.alerts:
            alerts.add_row(
                Text(alert.severity.value, style=SEVERITY_STYLE[alert.severity]),
                alert.id,
                alert.message,
                alert.action,
                ", ".join(alert.source_ids),
                ", ".join(alert.event_ids),
            )
        parts.append(alerts)
    else:
        parts.append(Text("no monitoring alerts", style="green"))
    if report.labs_due:
        labs = _table("labs", "status", "due", "window", "missing", "schedule")
        for due in report.labs_due:
            window = f"{due.window_start or '…'} – {due.window_end or '…'}"
            labs.add_row(
                due.label,
                due.status,
                str(due.due_date or due.note),
                window,
                ", ".join(due.missing_tests),
                due.schedule,
            )
        parts.append(labs)
    mood = report.mood
    if mood.latest_total is not None:
        change = (
            f", change from baseline {mood.change_from_baseline:+d}"
            if mood.change_from_baseline is not None
            else ""
        )
        parts.append(
            Text(
                f"PHQ-9: {mood.latest_total} ({mood.latest_band}) on {mood.latest_date}{change}; "
                f"next due {mood.next_due or '-'}"
            )
        )
    else:
        parts.append(Text(f"PHQ-9: none recorded; next due {mood.next_due or '-'}"))
    if report.risk_factors:
        risks = _table("risk factor", "predicts", "found from", "action", "sources")
        for factor in report.risk_factors:
            risks.add_row(
                factor.term,
                ", ".join(k.value.replace("_", " ") for k in factor.kinds),
                factor.found_from,
                factor.action,
                ", ".join(factor.source_ids),
            )
        parts.append(risks)
    parts.extend(_choice_line(choice) for choice in report.policy_choices)
    parts.append(screening_view(report.screening))
    if report.education:
        education = _table("myth or claim", "verdict", "what the sources say", "sources")
        for myth in report.education[:EDUCATION_SHOWN]:
            education.add_row(
                myth.claim, myth.verdict.value, myth.correction, ", ".join(myth.source_ids)
            )
        more = len(report.education) - EDUCATION_SHOWN
        parts.append(
            Panel(
                Group(education, *([Text(f"… {more} more with --json")] if more > 0 else [])),
                title="Education",
                title_align="left",
            )
        )
    return Panel(Group(*parts), title="Monitoring", title_align="left")


def print_monitoring(console: Console, report: MonitoringReport) -> None:
    console.print(monitoring_view(report))
