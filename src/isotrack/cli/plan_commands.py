"""``isotrack plan``: plan a course from weight, product and mg/kg/day."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console, Group
from rich.table import Column, Table
from rich.text import Text

from isotrack.cli.output import console, emit_json, fail, fail_input
from isotrack.cli.timeline_commands import parse_day
from isotrack.domain.errors import IsotrackInputError

# Imported only to run one of these commands (``command_index``), never to list them.
commands = typer.Typer()

if TYPE_CHECKING:
    from isotrack.engines.planner import CoursePlan, PhasePlan
    from isotrack.engines.regimen import RegimenDay

SEVERITY_STYLE = {"warning": "bold red", "caution": "yellow", "info": "cyan"}


def parse_phase(text: str) -> dict[str, Any]:
    """``0.5:4`` is 0.5 mg/kg/day for 4 weeks; ``1.0`` alone (last phase only) has no end."""
    dose_text, _, weeks_text = text.partition(":")
    try:
        phase: dict[str, Any] = {"mg_per_kg_per_day": float(dose_text)}
        if weeks_text:
            phase["weeks"] = int(weeks_text)
    except ValueError:
        fail(f"--phase: {text!r} is not MG_PER_KG_PER_DAY:WEEKS (for example 0.5:4)")
    return phase


@commands.command("plan")
def plan_command(
    product: Annotated[str, typer.Option("--product", help="product id, e.g. claravis")],
    weight_kg: Annotated[float, typer.Option("--weight-kg", help="body weight in kg")],
    mg_per_kg: Annotated[
        float | None, typer.Option("--mg-per-kg", help="daily dose in mg/kg/day")
    ] = None,
    phase: Annotated[
        list[str] | None,
        typer.Option(
            "--phase", help="MG_PER_KG:WEEKS, repeatable, in order (instead of --mg-per-kg)"
        ),
    ] = None,
    start: Annotated[
        str | None, typer.Option("--start", help="first dose, YYYY-MM-DD (default today)")
    ] = None,
    target_mg_per_kg: Annotated[
        float | None, typer.Option("--target-mg-per-kg", help="cumulative target in mg/kg")
    ] = None,
    treat_to_clearance: Annotated[
        bool, typer.Option("--treat-to-clearance", help="no fixed cumulative target")
    ] = False,
    split: Annotated[bool, typer.Option("--split", help="split each day into two doses")] = False,
    max_capsules_per_day: Annotated[
        int | None, typer.Option("--max-capsules-per-day", help="capsule limit per day")
    ] = None,
    birth_date: Annotated[
        str | None, typer.Option("--birth-date", help="YYYY-MM-DD, for the age checks")
    ] = None,
    age_years: Annotated[
        int | None, typer.Option("--age-years", help="age, if no birth date is given")
    ] = None,
    severe_renal_impairment: Annotated[
        bool, typer.Option("--severe-renal-impairment", help="apply the renal starting dose")
    ] = False,
    previous_course_end: Annotated[
        str | None,
        typer.Option("--previous-course-end", help="last dose of an earlier course, YYYY-MM-DD"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
) -> None:
    """Plan a course: capsules per day, supply per prescription, running total and end date."""
    from isotrack.engines.planner import parse_plan_request, plan_course
    from isotrack.knowledge import load_knowledge

    request: dict[str, Any] = {
        "product": product,
        "weight_kg": weight_kg,
        # The engine never reads a clock; the command supplies today's date as the default.
        "start": parse_day(start, "--start") if start else dt.date.today(),
        "target_mg_per_kg": target_mg_per_kg,
        "treat_to_clearance": treat_to_clearance,
        "split_doses": split,
        "max_capsules_per_day": max_capsules_per_day,
        "age_years": age_years,
        "severe_renal_impairment": severe_renal_impairment,
    }
    if mg_per_kg is not None:
        request["mg_per_kg_per_day"] = mg_per_kg
    if phase:
        request["phases"] = [parse_phase(p) for p in phase]
    if birth_date:
        request["birth_date"] = parse_day(birth_date, "--birth-date")
    if previous_course_end:
        request["previous_course_end"] = parse_day(previous_course_end, "--previous-course-end")
    if mg_per_kg is None and not phase:
        fail("give --mg-per-kg or at least one --phase")
    try:
        plan = plan_course(load_knowledge(), parse_plan_request(request))
    except IsotrackInputError as exc:
        fail_input(exc)
    if as_json:
        emit_json(plan)
        return
    print_plan(console, plan)


def _capsules(day: RegimenDay) -> str:
    if not day.capsules:
        return "no capsule"
    text = " + ".join(f"{c.count} x {c.strength_mg:g} mg" for c in day.capsules)
    if day.intakes:
        text += "  (" + "; ".join(f"{i.time} {i.dose_mg:g} mg" for i in day.intakes) + ")"
    return text


def phase_view(phase: PhasePlan, supply_period_days: int) -> Group:
    """One phase: a heading, its repeating pattern (one row per pattern day) and a summary."""
    weeks = f"for {phase.weeks} weeks" if phase.weeks else "until the end"
    heading = Text(
        f"Phase {phase.index + 1}: {phase.requested_mg_per_kg_per_day:g} mg/kg/day "
        f"= {phase.target_daily_dose_mg:g} mg/day, from {phase.start_date.isoformat()} {weeks}",
        style="bold",
    )
    table = Table(Column("day", justify="right"), Column("dose", justify="right"), "capsules")
    for number, day in enumerate(phase.regimen, start=1):
        table.add_row(str(number), f"{day.dose_mg:g} mg", _capsules(day))
    supply = ", ".join(f"{s.capsules} x {s.strength_mg:g} mg" for s in phase.supply_30_days)
    summary = Text(
        f"mean {phase.daily_dose_mg:.1f} mg/day = {phase.mg_per_kg_per_day:.3f} mg/kg/day "
        f"(deviation {phase.deviation_mg_per_kg_per_day:+.3f}); "
        f"{supply_period_days}-day supply: {supply}"
    )
    return Group(heading, table, summary)


def print_plan(out: Console, plan: CoursePlan) -> None:
    """A readable course plan: phases, running total, end date and warnings."""
    out.print(
        Text.assemble(
            ("Course plan ", "bold"),
            f"{plan.product_name} for {plan.weight_kg:g} kg, starting {plan.start.isoformat()}",
        )
    )
    for phase in plan.phases:
        out.print(phase_view(phase, plan.supply_period_days))
    columns = [Column(name, justify="right") for name in ("day", "date", "mg", "mg/kg")]
    totals = Table(*columns, title="Running total", title_justify="left")
    for point in plan.cumulative:
        totals.add_row(
            str(point.day),
            point.date.isoformat(),
            f"{point.cumulative_mg:,.0f}",
            f"{point.cumulative_mg_per_kg:.1f}",
        )
    out.print(totals)
    if plan.projected_end_date is not None:
        out.print(
            f"Target {plan.target_cumulative_mg_per_kg:g} mg/kg = "
            f"{plan.target_cumulative_mg:,.0f} mg, reached on day {plan.projected_days} "
            f"([bold]{plan.projected_end_date.isoformat()}[/])."
        )
    else:
        out.print(plan.projection_note)
    if plan.warnings:
        warnings = Table(
            "severity / code",
            Column("message and sources", ratio=1),
            title="Warnings",
            title_justify="left",
        )
        for warning in plan.warnings:
            warnings.add_row(
                Text.assemble(
                    (warning.severity, SEVERITY_STYLE[warning.severity]), "\n", warning.code
                ),
                Text.assemble(warning.message, ("\n" + ", ".join(warning.source_ids), "dim")),
            )
        out.print(warnings)
    out.print(f"Sources: {', '.join(plan.source_ids)}", highlight=False)
