"""``isotrack check-dispense``: the pharmacy's question, answered with an exit code."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from isotrack.cli.output import console, emit_json, fail_input
from isotrack.cli.timeline_commands import parse_day, read_timeline_file
from isotrack.domain.errors import IsotrackInputError

# Imported only to run one of these commands (``command_index``), never to list them.
commands = typer.Typer()

EXIT_NOT_AUTHORIZED = 3


@commands.command("check-dispense")
def check_dispense_command(
    timeline_file: Annotated[Path, typer.Argument(help="course timeline JSON")],
    on: Annotated[str, typer.Option("--on", help="dispensing date, YYYY-MM-DD")],
    prescription: Annotated[
        str | None,
        typer.Option("--prescription", help="prescription event id (default: the latest)"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
) -> None:
    """May this prescription be dispensed on this day? Exit 0 when authorized, 3 when not."""
    from isotrack.cli.programme_view import decision_view
    from isotrack.engines.programme import decide_dispense
    from isotrack.knowledge import load_knowledge

    timeline = read_timeline_file(timeline_file)
    day = parse_day(on, "--on")
    try:
        decision = decide_dispense(load_knowledge(), timeline, day, prescription)
    except IsotrackInputError as exc:
        fail_input(exc)
    if as_json:
        emit_json(decision)
    else:
        console.print(decision_view(decision))
    if not decision.authorized:
        raise typer.Exit(EXIT_NOT_AUTHORIZED)
