"""Rich rendering of clinical holds, the alert lifecycle and the pregnancy exposure record."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Column, Table
from rich.text import Text

from isotrack.engines.holds import ClinicalHold, PregnancyExposure, SafetyStatus

STATE_STYLE = {"open": "bold red", "reviewed": "yellow", "resolved": "green", "superseded": "dim"}


def hold_lines(holds: list[ClinicalHold]) -> list[RenderableType]:
    """``clinical: on hold (N)`` and one line per hold: id, code, date, message, action."""
    if not holds:
        return [Text.assemble("clinical: ", ("no hold", "green"))]
    lines: list[RenderableType] = [
        Text.assemble("clinical: ", (f"on hold ({len(holds)})", "bold red"))
    ]
    for hold in holds:
        reviewed = (
            f" (reviewed {hold.review.reviewed_on}: {hold.review.outcome})" if hold.review else ""
        )
        lines.append(
            Text.assemble(
                ("! ", "bold red"),
                (hold.alert_id, "bold"),
                f" [{hold.code}] {hold.date.isoformat()}{reviewed}: {hold.message} ",
                ("-> ", "bold"),
                hold.action,
                (f" (sources: {', '.join(hold.source_ids)})", "dim"),
            )
        )
    return lines


def safety_view(safety: SafetyStatus) -> RenderableType:
    """Course status, the holds, then every holding alert with its lifecycle state."""
    parts: list[RenderableType] = [Text(f"course status: {safety.course_status}", style="bold")]
    parts.extend(hold_lines(safety.clinical_holds))
    if safety.alerts:
        table = Table(
            "alert id",
            "state",
            "raised",
            Column("detail", overflow="fold"),
            title="Alerts that hold a course, and their lifecycle",
            title_justify="left",
        )
        for tracked in safety.alerts:
            detail = tracked.alert.message
            if tracked.review is not None:
                review = tracked.review
                who = f" by {review.reviewed_by}" if review.reviewed_by else ""
                detail += f" Reviewed {review.reviewed_on}{who}: {review.outcome} - {review.note}"
            if tracked.resolved_on is not None:
                detail += f" Resolved by the result of {tracked.resolved_on}."
            if tracked.superseded_by is not None:
                detail += f" Superseded by {tracked.superseded_by}."
            if tracked.note:
                detail += f" {tracked.note}"
            table.add_row(
                tracked.alert.id,
                Text(tracked.state, style=STATE_STYLE[tracked.state]),
                tracked.raised_on.isoformat(),
                detail,
            )
        parts.append(table)
    parts.extend(
        Text(f"review of unknown alert {r.alert_id} ({r.reviewed_on}): it lifts nothing",
             style="yellow")
        for r in safety.unmatched_reviews
    )  # fmt: skip
    return Group(*parts)


def exposure_view(exposure: PregnancyExposure) -> RenderableType:
    """The exposure record as a report for the prescriber."""

    def unknown(value: object) -> str:
        return "unknown" if value is None else str(value)

    lines: list[RenderableType] = [
        Text(f"{exposure.detected_by} on {exposure.known_on.isoformat()}", style="bold red"),
        Text(f"last dose: {unknown(exposure.last_dose_date)} ({exposure.last_dose_basis})"),
        Text(f"last menstrual period: {unknown(exposure.last_menstrual_period)}"),
        Text(f"estimated conception: {unknown(exposure.estimated_conception_date)}"),
        Text(f"gestational age at last dose: {unknown(exposure.gestational_age_at_last_dose)}"),
        Text(f"dating: {exposure.dating_rule} (sources: {', '.join(exposure.dating_source_ids)})",
             style="dim"),
        Text(
            f"cumulative exposure: {unknown(exposure.cumulative_mg)} mg, "
            f"{unknown(exposure.cumulative_mg_per_kg)} mg/kg"
        ),
        Text(f"referral: {exposure.referral}"),
    ]  # fmt: skip
    lines.extend(
        Text(f"report to {t.report_to} ({t.who.replace('_', ' ')}): {t.how}")
        for t in exposure.reporting
    )
    if exposure.follow_up_open:
        lines.append(Text("follow-up open until the outcome is recorded", style="yellow"))
        lines.extend(Text(f"- {task}") for task in exposure.follow_up_tasks)
    else:
        lines.append(
            Text(f"outcome: {unknown(exposure.outcome)} (recorded {exposure.outcome_recorded_on})")
        )
    return Panel(Group(*lines), title="Pregnancy exposure record", title_align="left")
