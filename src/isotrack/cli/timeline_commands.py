"""Commands over course timelines: ``schema`` and ``evaluate`` (one file or an NDJSON batch)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from isotrack.cli.output import console, emit_json, fail, fail_input
from isotrack.domain.errors import IsotrackInputError

# Imported only to run one of these commands (``command_index``), never to list them.
commands = typer.Typer()

if TYPE_CHECKING:
    from isotrack.domain.timeline import Timeline


@commands.command("schema")
def schema_command(
    name: Annotated[str, typer.Argument(help="which schema: timeline")] = "timeline",
) -> None:
    """Print the JSON Schema of a data contract (``isotrack.timeline/1``)."""
    if name != "timeline":
        fail(f"unknown schema {name!r}; known: timeline")
    from isotrack.domain.timeline import timeline_json_schema

    emit_json(timeline_json_schema())


def read_timeline_file(path: Path) -> Timeline:
    from isotrack.domain.timeline import load_timeline

    try:
        text = path.read_bytes()
    except OSError as exc:
        fail(f"cannot read {path}: {exc.strerror}")
    try:
        return load_timeline(text)
    except IsotrackInputError as exc:
        fail_input(exc)


def parse_day(value: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        fail(f"{option}: {value!r} is not a date; use YYYY-MM-DD")


@commands.command("evaluate")
def evaluate_command(
    as_of: Annotated[str, typer.Option("--as-of", help="evaluation date, YYYY-MM-DD")],
    timeline_file: Annotated[
        Path | None, typer.Argument(help="course timeline JSON (not with --batch)")
    ] = None,
    batch: Annotated[
        str | None,
        typer.Option(
            "--batch",
            help="NDJSON file of timelines, one per line ('-': standard input); writes one "
            "assessment or error per line, in the same order",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
) -> None:
    """Evaluate a course as of a date: dose progress, programme, monitoring, schedule."""
    from isotrack.engines.assessment import assess
    from isotrack.knowledge import load_knowledge

    if batch is not None:
        if timeline_file is not None:
            fail("give either a timeline file or --batch FILE, not both")
        from isotrack.cli.batch_evaluation import evaluate_batch

        raise typer.Exit(evaluate_batch(batch, parse_day(as_of, "--as-of")))
    if timeline_file is None:
        fail("give a timeline file (or --batch FILE for NDJSON)")
    timeline = read_timeline_file(timeline_file)
    day = parse_day(as_of, "--as-of")
    try:
        assessment = assess(load_knowledge(), timeline, day)
    except IsotrackInputError as exc:
        fail_input(exc)
    if as_json:
        emit_json(assessment)
        return
    from isotrack.cli.assessment_view import print_assessment

    print_assessment(console, assessment)
