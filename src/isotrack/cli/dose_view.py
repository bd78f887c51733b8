"""Rich rendering of a course's dose progress (the ``dose`` section of ``evaluate``)."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from isotrack.engines.dose import DoseProgress, ProgressByWeight

UNKNOWN = Text("unknown", style="italic yellow")


def _number(value: float | None, fmt: str, unit: str = "") -> Text | str:
    if value is None:
        return UNKNOWN
    return f"{value:{fmt}}{unit}"


def _basis_column(progress: ProgressByWeight) -> list[Text | str]:
    return [
        _number(progress.cumulative_mg_per_kg, ".1f", " mg/kg"),
        _number(progress.average_mg_per_kg_per_day, ".3f", " mg/kg/day"),
        _number(progress.remaining_mg, ",.0f", " mg"),
        progress.target_reached_on.isoformat() if progress.target_reached_on else "-",
        progress.projected_end_date.isoformat() if progress.projected_end_date else "-",
    ]


def dose_view(progress: DoseProgress) -> RenderableType:
    """A table of dose progress: totals by both weight choices, days counted, and reasons."""
    summary = Table(title=f"Dose progress as of {progress.as_of.isoformat()}", title_justify="left")
    summary.add_column("", style="bold")
    summary.add_column("")
    start = progress.course_start.isoformat() if progress.course_start else "-"
    if progress.course_start_basis == "first_dispense":
        start += " (inferred: first dispense, no course_start recorded)"
    summary.add_row("status", progress.status.replace("_", " "))
    summary.add_row("course start", start)
    if progress.course_end is not None:
        summary.add_row("last dose", progress.course_end.isoformat())
    summary.add_row("days since start", _number(progress.days_since_start, "d"))
    summary.add_row(
        "days counted",
        f"{progress.days_taken} taken, {progress.days_missed} missed, "
        f"{progress.days_paused} paused, {progress.days_without_supply} without supply",
    )
    summary.add_row("product", progress.product or "-")
    summary.add_row("current dose", _number(progress.current_daily_dose_mg, "g", " mg/day"))
    summary.add_row("cumulative", _number(progress.cumulative_mg, ",.0f", " mg"))
    summary.add_row("latest weight", _number(progress.latest_weight_kg, "g", " kg"))
    if progress.target is not None:
        target = progress.target
        origin = f"policy {target.policy} ({target.position_id})" if target.policy else "given"
        summary.add_row(
            "target",
            f"{target.low_mg_per_kg:g}-{target.high_mg_per_kg:g} mg/kg, {origin}",
        )
    if progress.conventional_equivalent_mg_per_kg is not None:
        summary.add_row(
            "conventional equivalent",
            f"{progress.conventional_equivalent_mg_per_kg:.1f} mg/kg",
        )

    bases = Table(title="mg/kg by weight used", title_justify="left")
    bases.add_column("")
    default = progress.default_weight_basis
    for basis in (progress.by_weight_at_dose_date, progress.by_latest_weight):
        label = basis.basis.replace("_", " ") + (" (default)" if basis.basis == default else "")
        bases.add_column(label, justify="right")
    rows = ("cumulative", "average per day taken", "remaining", "target reached", "projected end")
    columns = [
        _basis_column(progress.by_weight_at_dose_date),
        _basis_column(progress.by_latest_weight),
    ]
    for index, name in enumerate(rows):
        bases.add_row(name, columns[0][index], columns[1][index])

    parts: list[RenderableType] = [summary, bases]
    notes = [*progress.reasons]
    notes += [
        b.unknown_reason
        for b in (progress.by_weight_at_dose_date, progress.by_latest_weight)
        if b.unknown_reason and b.unknown_reason not in notes
    ]
    if notes:
        parts.append(Text("\n".join(f"note: {n}" for n in notes), style="dim"))
    if progress.source_ids:
        parts.append(Text("sources: " + ", ".join(progress.source_ids), style="dim"))
    return Group(*parts)
