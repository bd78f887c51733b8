"""``isotrack fhir``: a course timeline to a FHIR R4 Bundle and back.

The FHIR modules (and ``fhir.resources`` behind them) are imported inside the commands so
other commands start no slower.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from isotrack.cli.output import emit_json, error_console, fail
from isotrack.cli.timeline_commands import read_timeline_file

# Imported only to run one of these commands (``command_index``), never to list them.
commands = typer.Typer()

if TYPE_CHECKING:  # the command list must not load the domain models (issue 12)
    from isotrack.domain.timeline import Timeline

fhir_app = typer.Typer(
    help="FHIR R4: a course timeline as a Bundle, and a Bundle as a course timeline.",
    no_args_is_help=True,
)
commands.add_typer(fhir_app, name="fhir")


def _print_report(lines: list[str]) -> None:
    for line in lines:
        error_console.print(line, highlight=False, markup=False)


@fhir_app.command("from-timeline")
def from_timeline_command(
    timeline_file: Annotated[Path, typer.Argument(help="course timeline JSON")],
    as_json: Annotated[
        bool, typer.Option("--json", help="print {bundle, report} instead of the Bundle alone")
    ] = False,
) -> None:
    """Print the course as a FHIR R4 Bundle; what FHIR cannot carry is listed on stderr."""
    from isotrack.interop.fhir.convert import timeline_to_fhir
    from isotrack.knowledge import load_knowledge

    result = timeline_to_fhir(load_knowledge(), read_timeline_file(timeline_file))
    if as_json:
        emit_json({"bundle": result.bundle, "report": result.report.to_json()})
    else:
        emit_json(result.bundle)
        _print_report(result.report.lines())


@fhir_app.command("to-timeline")
def to_timeline_command(
    bundle_file: Annotated[Path, typer.Argument(help="FHIR R4 Bundle JSON (or a list)")],
    policy: Annotated[
        str | None,
        typer.Option("--policy", help="programme policy when the Patient names none"),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="print {timeline, report} instead of the timeline")
    ] = False,
) -> None:
    """Print the course in a FHIR Bundle as a timeline; warnings and ignored resources go to
    stderr. Exit status 1 when no course could be read."""
    from isotrack.interop.fhir.convert import fhir_to_timeline
    from isotrack.knowledge import load_knowledge

    try:
        text = bundle_file.read_text(encoding="utf-8")
    except OSError as exc:
        fail(f"cannot read {bundle_file}: {exc.strerror}")
    result = fhir_to_timeline(load_knowledge(), text, policy=policy)
    timeline: dict[str, Any] | None = (
        result.timeline.to_json_dict() if result.timeline is not None else None
    )
    if as_json:
        emit_json({"timeline": timeline, "report": result.report.to_json()})
    else:
        if timeline is not None:
            sys.stdout.write(json.dumps(timeline, indent=2, ensure_ascii=False) + "\n")
        _print_report(result.report.lines())
    if timeline is None:
        if not as_json:
            error_console.print("error: no course could be read from this file", highlight=False)
        raise typer.Exit(1)


def read_fhir_course(
    bundle_file: Path, policy: str | None, fhir_server: str | None
) -> tuple[Timeline, list[tuple[str, str]]]:
    """The course in a FHIR Bundle file and the identifiers to keep for its Patient; the
    conversion report goes to stderr; exit 1 when no course can be read."""
    from isotrack.interop.fhir.convert import fhir_to_timeline, patient_identity
    from isotrack.knowledge import load_knowledge
    from isotrack.service.fhir_patients import fhir_patient_identifiers

    try:
        text = bundle_file.read_text(encoding="utf-8")
    except OSError as exc:
        fail(f"cannot read {bundle_file}: {exc.strerror}")
    result = fhir_to_timeline(load_knowledge(), text, policy=policy)
    _print_report(result.report.lines())
    if result.timeline is None:
        fail(f"no course could be read from {bundle_file} (see the lines above)")
    logical_id, identifiers = patient_identity(text)
    kept = fhir_patient_identifiers(logical_id, identifiers, fhir_server) if logical_id else []
    return result.timeline, kept


def write_fhir_ndjson(directory: Path, timelines: list[Timeline]) -> list[Path]:
    """FHIR Bulk Data NDJSON files (one per resource type) for the courses."""
    from isotrack.interop.fhir.bulk import write_bulk
    from isotrack.interop.fhir.convert import timeline_to_fhir
    from isotrack.knowledge import load_knowledge

    knowledge = load_knowledge()
    bundles = []
    for timeline in timelines:
        result = timeline_to_fhir(knowledge, timeline)
        _print_report(result.report.lines())
        bundles.append(result.bundle)
    return write_bulk(directory, bundles)
