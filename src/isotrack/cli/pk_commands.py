"""``isotrack pk``: estimated isotretinoin and 4-oxo-isotretinoin levels, for explanation.

numpy and the PK engine are imported inside the command so that the CLI starts fast.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer
from rich.table import Table

from isotrack.cli.output import console, emit_json, fail, fail_input
from isotrack.cli.timeline_commands import parse_day, read_timeline_file
from isotrack.domain.errors import IsotrackInputError

# Imported only to run one of these commands (``command_index``), never to list them.
commands = typer.Typer()

if TYPE_CHECKING:
    from isotrack.engines.pk.report import PkReport
    from isotrack.knowledge import Knowledge

FOOD_WORDS = {"fed": "with a meal", "fasted": "on an empty stomach"}
PLOT_WIDTH = 60
AXIS_WIDTH = 13
PLOT_HEIGHT = 14


@commands.command("pk")
def pk_command(
    product: Annotated[
        str | None, typer.Option("--product", help="product id, e.g. absorica")
    ] = None,
    dose_mg: Annotated[float | None, typer.Option("--dose-mg", help="mg per dose")] = None,
    food: Annotated[str, typer.Option("--food", help="fed or fasted")] = "fed",
    days: Annotated[
        int | None, typer.Option("--days", help="repeat the dose daily for this many days")
    ] = None,
    doses_per_day: Annotated[
        int | None,
        typer.Option("--doses-per-day", help="intakes a day (default 1; 2 with --timeline)"),
    ] = None,
    timeline_file: Annotated[
        Path | None, typer.Option("--timeline", help="course timeline JSON: its real doses")
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="with --timeline: YYYY-MM-DD (default today)")
    ] = None,
    policy: Annotated[
        str, typer.Option("--policy", help="policy whose after-treatment rules are compared")
    ] = "us-ipledge-2026",
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
) -> None:
    """Estimated drug levels after a dose, over a course, and after the last dose."""
    from isotrack.engines.pk.report import course_report, product_report
    from isotrack.knowledge import load_knowledge

    if food not in FOOD_WORDS:
        fail(f"--food: {food!r} is not allowed; use fed or fasted")
    food_state: Literal["fed", "fasted"] = "fed" if food == "fed" else "fasted"
    knowledge = load_knowledge()
    try:
        if timeline_file is not None:
            if product is not None or dose_mg is not None:
                fail("--timeline: give either a timeline or --product with --dose-mg, not both")
            timeline = read_timeline_file(timeline_file)
            day = parse_day(as_of, "--as-of") if as_of else dt.date.today()
            report = course_report(knowledge, timeline, day, food_state, doses_per_day or 2)
            if report is None:
                fail(f"no dose is counted in this course on or before {day.isoformat()}")
        else:
            if product is None or dose_mg is None:
                fail("--product and --dose-mg are both needed (or --timeline FILE)")
            if policy not in knowledge.policies:
                fail(
                    f"--policy: {policy!r} is unknown; "
                    f"known: {', '.join(sorted(knowledge.policies))}"
                )
            try:
                knowledge.product(product)
            except KeyError as exc:
                fail(f"--product: {exc.args[0]}")
            report = product_report(
                knowledge, product, dose_mg, food_state, days, doses_per_day or 1, policy
            )
    except IsotrackInputError as exc:
        fail_input(exc)
    except ValueError as exc:
        fail(str(exc))
    if as_json:
        emit_json(report)
        return
    _print_report(knowledge, report)


def _print_report(knowledge: Knowledge, report: PkReport) -> None:
    name = knowledge.product(report.product).name
    console.print(
        f"[bold]{name}[/], {report.dose_mg:g} mg {FOOD_WORDS[report.food]}: estimated levels",
        highlight=False,
    )
    figures = Table("after one dose", "isotretinoin", "4-oxo-isotretinoin", title=None)
    one, oxo = report.single_dose, report.metabolite_single_dose
    figures.add_row("peak (ng/mL)", f"{one.cmax_ng_per_ml:.0f}", f"{oxo.cmax_ng_per_ml:.0f}")
    figures.add_row("time of peak (h)", f"{one.tmax_h:.1f}", f"{oxo.tmax_h:.1f}")
    figures.add_row(
        "exposure (ng·h/mL)", f"{one.auc_ng_h_per_ml:.0f}", f"{oxo.auc_ng_h_per_ml:.0f}"
    )
    figures.add_row("half-life (h)", f"{one.t_half_h:.0f}", f"{oxo.t_half_h:.0f}")
    console.print(figures)
    if report.steady_state_day is not None:
        console.print(f"Levels are steady from about day {report.steady_state_day}.")
    if report.washout is not None:
        w = report.washout
        console.print(
            f"After the last dose, isotretinoin is back under the body's own level "
            f"({w.isotretinoin_endogenous_ng_per_ml:g} ng/mL) after {_days(w.isotretinoin_days)}, "
            f"4-oxo-isotretinoin ({w.oxo_isotretinoin_endogenous_ng_per_ml:g} ng/mL) after "
            f"{_days(w.oxo_isotretinoin_days)}.",
            highlight=False,
        )
        rules = Table("rule after the last dose", "lasts", "covers the estimated washout")
        for rule in w.rules:
            rules.add_row(rule.title, f"{rule.rule_days} days", "yes" if rule.covered else "NO")
        console.print(rules)
    console.print(
        terminal_plot(
            report.curve.time_h,
            [
                ("isotretinoin", report.curve.isotretinoin_ng_per_ml, "*"),
                ("4-oxo-isotretinoin", report.curve.oxo_isotretinoin_ng_per_ml, "o"),
            ],
        ),
        highlight=False,
        markup=False,
    )
    for note in report.notes:
        console.print(f"[dim]{note}[/]", highlight=False)


def _days(days: float | None) -> str:
    return "more than the modelled time" if days is None else f"{days:g} days"


def terminal_plot(
    time_h: Sequence[float], series: Sequence[tuple[str, Sequence[float], str]]
) -> str:
    """A character plot of one or more curves against time (hours or days on the axis)."""
    top = max((max(values) for _, values, _ in series if values), default=0.0) or 1.0
    span = (time_h[-1] - time_h[0]) or 1.0
    rows = [[" "] * PLOT_WIDTH for _ in range(PLOT_HEIGHT)]
    for _, values, mark in series:
        for t, value in zip(time_h, values, strict=True):
            col = min(PLOT_WIDTH - 1, int((t - time_h[0]) / span * (PLOT_WIDTH - 1)))
            row = PLOT_HEIGHT - 1 - min(PLOT_HEIGHT - 1, int(value / top * (PLOT_HEIGHT - 1)))
            rows[row][col] = mark
    in_days = span > 96
    unit, scale = ("days", 24.0) if in_days else ("h", 1.0)
    lines = [f"{top:.0f} ng/mL ".rjust(AXIS_WIDTH) + "|" + "".join(rows[0])]
    lines += [" " * AXIS_WIDTH + "|" + "".join(row) for row in rows[1:]]
    lines.append(" " * AXIS_WIDTH + "+" + "-" * PLOT_WIDTH)
    end = f"{time_h[-1] / scale:.0f} {unit}"
    lines.append(" " * (AXIS_WIDTH + 1) + "0" + end.rjust(PLOT_WIDTH - 1))
    lines.append("  " + "   ".join(f"{mark} {label}" for label, _, mark in series))
    return "\n".join(lines)
