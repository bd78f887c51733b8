"""``isotrack audit`` and ``isotrack synth``: the population audit and its synthetic data.

DuckDB, PySpark, pyarrow and matplotlib are imported only inside these commands, so the rest of
the CLI starts without them.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from isotrack.cli.output import console, emit_json, error_console, fail
from isotrack.cli.timeline_commands import parse_day

# Imported only to run one of these commands (``command_index``), never to list them.
commands = typer.Typer()

if TYPE_CHECKING:
    from isotrack.audit.readers import TimelineSource
    from isotrack.audit.run import AuditOptions, AuditOutcome

EXIT_FINDINGS = 3
# Reasons for resources not read shown on the terminal; the summary JSON holds them all.
NOT_READ_SHOWN = 5


def _pseudonym_key(path: Path | None) -> tuple[bytes, list[str]]:
    if path is None:
        note = (
            "No --pseudonym-key-file: ids are pseudonymised with a key made for this run "
            "only, so they cannot be linked to another run."
        )
        return secrets.token_bytes(32), [note]
    try:
        key = path.read_bytes().strip()
    except OSError as exc:
        fail(f"--pseudonym-key-file: cannot read {path}: {exc.strerror}")
    if not key:
        fail(f"--pseudonym-key-file: {path} is empty; it must hold the programme's secret key")
    return key, []


@commands.command("audit")
def audit_command(
    database: Annotated[
        str | None,
        typer.Option("--database", help="isotrack's store URL (default: the configured store)"),
    ] = None,
    fhir_bulk: Annotated[
        Path | None, typer.Option("--fhir-bulk", help="FHIR Bulk Data NDJSON folder")
    ] = None,
    timelines: Annotated[
        Path | None, typer.Option("--timelines", help="isotrack.timeline/1 NDJSON")
    ] = None,
    parquet: Annotated[
        Path | None, typer.Option("--parquet", help="folder written by --convert")
    ] = None,
    convert: Annotated[
        Path | None,
        typer.Option("--convert", help="write --timelines as Parquet to this folder and stop"),
    ] = None,
    engine: Annotated[str, typer.Option("--engine", help="duckdb (embedded) or spark")] = "duckdb",
    master: Annotated[str, typer.Option("--master", help="Spark master URL")] = "local[*]",
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers", help="engine processes for DuckDB (0: in process; default: cores)"
        ),
    ] = None,
    batch_size: Annotated[int, typer.Option("--batch-size", help="courses per batch", min=1)] = 64,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="audit date, YYYY-MM-DD (default: today)")
    ] = None,
    key_file: Annotated[
        Path | None, typer.Option("--pseudonym-key-file", help="the programme's key for pseudonyms")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="folder for findings CSV/Parquet, summary.json, report.html"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="summary and findings as JSON")] = False,
    fail_on: Annotated[
        str | None,
        typer.Option("--fail-on", help="exit 3 when a finding is at or above this severity"),
    ] = None,
) -> None:
    """Audit a population of courses (default: every course of the configured store); the
    engines judge every dispense and every course."""
    from isotrack.audit.findings import SEVERITIES
    from isotrack.audit.readers import convert_to_parquet
    from isotrack.audit.run import ENGINES

    if fail_on is not None and fail_on not in SEVERITIES:
        fail(f"--fail-on {fail_on!r} is not a severity; allowed: {', '.join(SEVERITIES)}")
    if engine not in ENGINES:
        fail(f"--engine {engine!r} is not known; allowed: {', '.join(ENGINES)}")
    named = [n for n, v in (("--database", database), ("--timelines", timelines),
             ("--parquet", parquet), ("--fhir-bulk", fhir_bulk)) if v is not None]  # fmt: skip
    if len(named) > 1:
        fail(f"name one source, not {' and '.join(named)}")
    with _source(database, timelines, parquet, fhir_bulk) as source:
        if convert is not None:
            count = convert_to_parquet(source, convert)
            console.print(f"Wrote {count} courses as Parquet to {convert}")
            return
        _audit(source, engine, master, workers, batch_size, as_of, key_file, out, as_json, fail_on)


@contextmanager
def _source(
    database: str | None, timelines: Path | None, parquet: Path | None, fhir_bulk: Path | None
) -> Iterator[TimelineSource]:
    """The one source named; none named is the configured store."""
    from isotrack.audit.fhir_source import FhirBulkTimelines
    from isotrack.audit.readers import NdjsonTimelines, ParquetTimelines
    from isotrack.domain.errors import IsotrackError
    from isotrack.service.audit_runs import store_for_audit

    try:
        if timelines is not None:
            yield NdjsonTimelines(timelines)
        elif parquet is not None:
            yield ParquetTimelines(parquet)
        elif fhir_bulk is not None:
            yield FhirBulkTimelines(fhir_bulk)
        else:
            with store_for_audit(database) as store:
                yield store
    except FileNotFoundError as exc:
        fail(str(exc))
    except IsotrackError as exc:
        fail(exc.summary)


def _audit(
    source: TimelineSource,
    engine: str,
    master: str,
    workers: int | None,
    batch_size: int,
    as_of: str | None,
    key_file: Path | None,
    out: Path | None,
    as_json: bool,
    fail_on: str | None,
) -> None:
    from isotrack.audit.findings import severity_rank
    from isotrack.audit.run import AuditOptions

    key, notes = _pseudonym_key(key_file)
    options = AuditOptions(
        audit_date=parse_day(as_of, "--as-of") if as_of else dt.date.today(),
        pseudonym_key=key,
        engine=engine,
        master=master,
        workers=os.cpu_count() or 1 if workers is None else workers,
        batch_size=batch_size,
        out_dir=out,
        keep_findings=as_json,
        notes=notes,
    )
    outcome = _run_with_progress(source, options)
    summary = outcome.summary
    if as_json:
        emit_json(
            {
                "summary": summary.as_json(),
                "findings": [f.as_row() for f in outcome.findings],
                "not_read": [asdict(item) for item in outcome.not_read],
            }
        )
    else:
        _print_summary(summary.as_json(), out)
    worst = summary.worst_severity()
    if fail_on is not None and worst is not None and severity_rank(worst) >= severity_rank(fail_on):
        raise typer.Exit(EXIT_FINDINGS)


def _run_with_progress(source: TimelineSource, options: AuditOptions) -> AuditOutcome:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from isotrack.audit.run import run_audit

    columns = (
        TextColumn("auditing"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=error_console, transient=True) as progress:
        task = progress.add_task("audit", total=source.count(), rate="")

        def advance(courses: int) -> None:
            progress.advance(task, courses)
            speed = progress.tasks[task].speed
            progress.update(task, rate=f"{speed:.1f} courses/s" if speed else "")

        return run_audit(source, options, advance)


def _print_summary(data: dict[str, object], out: Path | None) -> None:
    from rich.table import Table

    console.print(
        f"Audited {data['courses']} courses ({data['dispenses']} dispenses) as of "
        f"{data['audit_date']} with {data['engine']}: {data['findings']} findings."
    )
    table = Table("Audit rule", "Findings")
    names = dict(data["rule_names"])  # type: ignore[call-overload]
    for rule, count in dict(data["by_rule"]).items():  # type: ignore[call-overload]
        table.add_row(names.get(rule, rule), str(count))
    console.print(table)
    sql = dict(data["sql_precheck"])  # type: ignore[call-overload]
    console.print(
        f"SQL pre-check disagreed with the engines on "
        f"{sql['disagreements_with_engine']} of {sql['courses_checked']} courses "
        "(the engines' findings stand)."
    )
    for note in list(data["notes"]):  # type: ignore[call-overload]
        console.print(f"Note: {note}")
    if data["unreadable_courses"]:
        console.print(f"Courses that could not be read: {data['unreadable_courses']}:")
        _print_reasons(dict(data["unreadable_reasons"]))  # type: ignore[call-overload]
    not_read = dict(data["not_read"])  # type: ignore[call-overload]
    if not_read["resources"]:
        console.print(
            f"Resources not read: {not_read['resources']} (courses concerned: "
            f"{not_read['courses']}); nothing they show was checked:"
        )
        _print_reasons(dict(not_read["by_reason"]))
    if out is not None:
        console.print(f"Report: {out / 'report.html'}")


def _print_reasons(reasons: dict[str, int]) -> None:
    for reason, count in list(reasons.items())[:NOT_READ_SHOWN]:
        console.print(f"  {count} × {reason}", markup=False)
    if len(reasons) > NOT_READ_SHOWN:
        console.print(
            f"  and {len(reasons) - NOT_READ_SHOWN} other reasons (all of them: --json, or "
            "summary.json in --out)."
        )


@commands.command("synth")
def synth_command(
    patients: Annotated[int, typer.Option("--patients", help="how many courses", min=1)],
    out: Annotated[Path, typer.Option("--out", help="output folder")],
    seed: Annotated[int, typer.Option("--seed", help="same seed, same population")] = 1,
    fmt: Annotated[
        str, typer.Option("--format", help="timeline-ndjson, fhir-ndjson or parquet")
    ] = "timeline-ndjson",
    workers: Annotated[
        int, typer.Option("--workers", help="processes mapping fhir-ndjson courses", min=1)
    ] = 1,
    gzip: Annotated[bool, typer.Option("--gzip", help="fhir-ndjson files as .ndjson.gz")] = False,
) -> None:
    """Write a synthetic programme population with violations at known rates (truth.json)."""
    from isotrack.audit.synth_files import FORMATS, FhirOptions, write_population

    if fmt not in FORMATS:
        fail(f"--format {fmt!r} is not known; allowed: {', '.join(FORMATS)}")
    if (workers > 1 or gzip) and fmt != "fhir-ndjson":
        fail(f"--workers and --gzip apply to --format fhir-ndjson only, not {fmt!r}")
    truth = write_population(patients, seed, fmt, out, FhirOptions(workers, gzip))
    console.print(f"Wrote {patients} courses ({len(truth['injected'])} with a violation) to {out}")
