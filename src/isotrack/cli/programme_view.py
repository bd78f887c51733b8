"""Rich rendering of the programme report, the dispense decision and the schedule."""

from __future__ import annotations

import datetime as dt

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Column, Table
from rich.text import Text

from isotrack.cli.safety_view import hold_lines
from isotrack.engines.programme import DispenseDecision, ProgrammeReport, RequirementStatus
from isotrack.engines.schedule import Schedule

STATUS_STYLE = {
    RequirementStatus.MET: "green",
    RequirementStatus.UNMET: "bold red",
    RequirementStatus.DUE: "yellow",
    RequirementStatus.UNKNOWN: "bold magenta",
    RequirementStatus.NOT_APPLICABLE: "dim",
}


def _when(day: dt.date | None, start: dt.date | None, end: dt.date | None) -> str:
    """A date, or a window 'start..end' with '...' for an open end."""
    if day is not None:
        return day.isoformat()
    return f"{start.isoformat() if start else '...'}..{end.isoformat() if end else '...'}"


def decision_view(decision: DispenseDecision) -> RenderableType:
    """The pharmacist's answer: may I dispense, until when, and if not, what to do."""
    verdict = (
        Text("AUTHORIZED", style="bold green")
        if decision.authorized
        else Text("NOT AUTHORIZED", style="bold red")
    )
    lines: list[RenderableType] = [
        Text.assemble(
            verdict,
            f"  prescription {decision.prescription_id or '-'} on {decision.on.isoformat()}",
        ),
        Text(
            f"dispense by: {decision.dispense_by.isoformat() if decision.dispense_by else '-'}"
            f"   max days' supply: {decision.max_days_supply or '-'}"
        ),
        Text(f"policy: {decision.policy.id} ({decision.policy.title})", style="dim"),
        Text.assemble(
            "programme: ",
            ("met", "green") if decision.programme_met else ("not met", "bold red"),
        ),
        *hold_lines(decision.clinical_holds),
    ]
    for reason in decision.reasons:
        lines.append(
            Text.assemble(
                ("x ", "bold red"),
                (reason.requirement_id, "bold"),
                f" [{reason.rule_id}]: {reason.message} ",
                (f"(sources: {', '.join(reason.source_ids)})", "dim"),
            )
        )
    for step in decision.next_steps:
        when = f" (from {step.not_before.isoformat()})" if step.not_before else ""
        lines.append(Text(f"next: {step.who.value}: {step.what}{when}", style="cyan"))
    lines.extend(Text(f"note: {note}", style="dim") for note in decision.notes)
    return Panel(Group(*lines), title="Dispense decision", title_align="left")


def programme_view(report: ProgrammeReport) -> RenderableType:
    """Every requirement with its status, due date, rule and sources; then the decision."""
    policy = report.policy
    heading = (
        f"Programme: {policy.id} (edition {policy.edition}"
        f"{'' if policy.in_force else ', not yet in force on this date'}) - "
        f"{report.category.replace('_', ' ')}"
    )
    table = Table(
        "requirement",
        "status",
        "due / window",
        Column("detail", overflow="fold"),
        Column("rule", style="dim"),
        title=heading,
        title_justify="left",
    )
    for requirement in report.requirements:
        if requirement.window_start and requirement.window_end:
            when = _when(None, requirement.window_start, requirement.window_end)
        else:
            when = _when(requirement.due_date, None, None) if requirement.due_date else ""
        table.add_row(
            requirement.id,
            Text(
                requirement.status.value.replace("_", " "), style=STATUS_STYLE[requirement.status]
            ),
            when,
            requirement.message,
            requirement.rule_id,
        )
    parts: list[RenderableType] = [table]
    parts.extend(
        Text(f"clinic override: {o.description} - {o.reason}", style="magenta")
        for o in policy.overrides
    )
    parts.append(decision_view(report.dispense_decision))
    return Group(*parts)


def schedule_view(schedule: Schedule) -> RenderableType:
    """The to-do list: when, who, what, and the requirement it serves."""
    table = Table(
        "when",
        "who",
        Column("what", overflow="fold"),
        Column("requirement", style="dim"),
        title=f"Schedule as of {schedule.as_of.isoformat()}",
        title_justify="left",
    )
    for item in schedule.items:
        when = _when(item.date, item.window_start, item.window_end)
        table.add_row(when, item.who.value, item.what, item.requirement_id)
    return table
