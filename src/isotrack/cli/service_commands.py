"""Service commands: ``db upgrade``, ``serve``, ``demo``, ``user add``, ``import``, ``export``,
``verify``. Each goes through ``isotrack.service.operations``, imported inside the command so
that the other commands never load SQLAlchemy or Alembic.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.table import Table

from isotrack.cli.operator_options import DatabaseUrl, operator_errors
from isotrack.cli.output import console, emit_json, fail
from isotrack.cli.timeline_commands import read_timeline_file

# Imported only to run one of these commands (``command_index``), never to list them.
commands = typer.Typer()

db_app = typer.Typer(help="Database schema: create or upgrade it.", no_args_is_help=True)
user_app = typer.Typer(help="User accounts.", no_args_is_help=True)
commands.add_typer(db_app, name="db")
commands.add_typer(user_app, name="user")


@db_app.command("upgrade")
def db_upgrade(database_url: DatabaseUrl = None) -> None:
    """Create the tables, or bring an existing database up to this version's schema."""
    from isotrack.service import operations

    before, after = operations.upgrade(database_url)
    if before.current == after.current:
        console.print(f"schema already current (revision {after.head})")
    else:
        console.print(f"schema upgraded from {before.current or 'empty'} to {after.head}")


@db_app.command("status")
def db_status(database_url: DatabaseUrl = None) -> None:
    """Say whether the schema is current."""
    from isotrack.service import operations

    status = operations.schema_state(database_url)
    console.print(status.explain())
    if not status.up_to_date:
        raise typer.Exit(1)


@commands.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="worker processes")] = 1,
    database_url: DatabaseUrl = None,
    access_log: Annotated[bool, typer.Option(help="log every request")] = False,
) -> None:
    """Start the web service (API at /api/v1, documentation at /docs)."""
    from isotrack.knowledge import KnowledgeError, load_knowledge
    from isotrack.service import operations
    from isotrack.service.settings import Settings

    with operator_errors():
        operations.require_current_schema(database_url)
    try:
        load_knowledge()
    except KnowledgeError as exc:
        fail(str(exc))
    from isotrack.cli.worklist_commands import worklist_refresh

    worklist_refresh(database_url)  # rows a day behind are rewritten before the first request
    # Resolve the secret once, here, so that every worker process shares it.
    os.environ["ISOTRACK_SECRET_KEY"] = Settings.from_env().secret_key
    from isotrack.worker_processes import ServeOptions
    from isotrack.worker_processes import serve as serve_workers

    console.print(f"isotrack serving on http://{host}:{port} (API docs at /docs)")
    try:
        status = serve_workers(ServeOptions(host, port, workers, access_log=access_log))
    except OSError as exc:
        fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}")
    if status:
        raise typer.Exit(status)


@user_app.command("add")
def user_add(
    username: Annotated[str, typer.Argument(help="sign-in name")],
    role: Annotated[str, typer.Option(help="admin|prescriber|designee|pharmacist|patient|auditor")],
    display_name: Annotated[str | None, typer.Option(help="name shown in pages")] = None,
    prescriber: Annotated[str | None, typer.Option(help="designees: their prescriber")] = None,
    patient_id: Annotated[str | None, typer.Option(help="patients: their record")] = None,
    password: Annotated[
        str | None,
        typer.Option(help="default: $ISOTRACK_NEW_PASSWORD, else a generated one printed once"),
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Create a user account."""
    from isotrack.service import operations
    from isotrack.service.accounts import Role, generate_password

    try:
        chosen_role = Role(role)
    except ValueError:
        fail(f"--role: {role!r} is not a role; allowed: {', '.join(r.value for r in Role)}")
    secret = password or os.environ.get("ISOTRACK_NEW_PASSWORD")
    generated = secret is None
    secret = secret or generate_password()
    with operator_errors():
        user = operations.add_user(
            database_url,
            username=username,
            password=secret,
            role=chosen_role,
            display_name=display_name,
            prescriber_username=prescriber,
            patient_id=patient_id,
        )
    console.print(f"created {user.role.value} {user.username!r} (id {user.id})")
    if generated:
        console.print(f"password (shown once): [bold]{secret}[/]")


@commands.command("demo")
def demo(
    reset: Annotated[
        bool, typer.Option("--reset", help="ERASE the whole database and create the demo anew")
    ] = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Create demo users and a clinic of demo patients dated from today."""
    from isotrack.service import operations

    today = dt.date.today()
    with operator_errors():
        made = operations.load_demo_clinic(database_url, today=today, reset=reset)
    if reset:
        console.print("database erased and recreated")
    if made is None:
        console.print(
            "demo data is already present (its passwords were printed when it was made); "
            "run `isotrack demo --reset` to erase everything and start again"
        )
        return
    passwords = made.passwords
    table = Table(title="demo accounts (passwords are shown this once)")
    for column in ("username", "role", "password"):
        table.add_column(column)
    for spec in operations.DEMO_USERS:
        table.add_row(spec.username, spec.role.value, passwords[spec.username])
    console.print(table)
    console.print(f"{made.patients} demo patients created, dated from {today.isoformat()}")


ImportFormat = Literal["timeline", "fhir"]
ExportFormat = Literal["timeline", "fhir-ndjson"]


@commands.command("import")
def import_command(
    source: Annotated[Path, typer.Argument(help="a timeline JSON file, or a FHIR R4 Bundle")],
    prescriber: Annotated[str, typer.Option(help="username of the prescriber in charge")],
    display_name: Annotated[str | None, typer.Option(help="patient name for the clinic")] = None,
    file_format: Annotated[
        ImportFormat, typer.Option("--format", help="timeline (isotrack.timeline/1) or fhir")
    ] = "timeline",
    policy: Annotated[
        str | None, typer.Option(help="fhir: programme policy when the Patient names none")
    ] = None,
    fhir_server: Annotated[
        str | None,
        typer.Option(help="fhir: base URL of the FHIR server the Patient's id belongs to"),
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Store a course (the patient is created if new). With --format fhir the Patient's logical
    id and identifiers are kept, so later EHR calls about that Patient find the course."""
    from isotrack.service import operations

    identifiers: list[tuple[str, str]] = []
    if file_format == "fhir":
        from isotrack.cli.fhir_commands import read_fhir_course

        timeline, identifiers = read_fhir_course(source, policy, fhir_server)
    else:
        timeline = read_timeline_file(source)
    with operator_errors():
        header = operations.import_course(
            database_url, timeline, prescriber_username=prescriber, display_name=display_name,
            identifiers=identifiers,
        )  # fmt: skip
    console.print(
        f"imported course {header.id} for patient {header.patient_id} "
        f"({len(timeline.events)} events)"
    )


@commands.command("export")
def export_command(
    target: Annotated[
        str, typer.Argument(help="the course id; with --format fhir-ndjson, the output folder")
    ],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="file; default stdout")
    ] = None,
    file_format: Annotated[
        ExportFormat,
        typer.Option("--format", help="timeline, or fhir-ndjson (FHIR Bulk Data, every course)"),
    ] = "timeline",
    course: Annotated[
        list[str] | None, typer.Option(help="fhir-ndjson: only this course (repeatable)")
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Write a course as an isotrack.timeline/1 JSON document, or (--format fhir-ndjson) the
    store's courses as FHIR Bulk Data: one NDJSON file per resource type in a folder."""
    from isotrack.service import operations

    if file_format == "fhir-ndjson":
        from isotrack.cli.fhir_commands import write_fhir_ndjson

        with operator_errors():
            timelines = operations.export_courses(database_url, course or [])
        written = write_fhir_ndjson(Path(target), timelines)
        console.print(f"wrote {len(written)} NDJSON files for {len(timelines)} courses to {target}")
        return
    with operator_errors():
        document = operations.export_course(database_url, target).to_json_dict()
    if output is None:
        emit_json(document)
    else:
        output.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", "utf-8")
        console.print(f"wrote {output}")


@commands.command("verify")
def verify_command(
    database_url: DatabaseUrl = None,
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
    checkpoint: Annotated[
        bool, typer.Option("--checkpoint", help="when intact, sign a checkpoint (run from cron)")
    ] = False,
) -> None:
    """Check every course's chain and every signed seal; with --checkpoint, sign a new one."""
    from isotrack.service import operations

    with operator_errors():
        report = operations.verify_store(database_url)
    if as_json:
        emit_json(
            {
                "intact": report.intact,
                "courses_checked": report.courses_checked,
                "events_checked": report.events_checked,
                "broken": [
                    {"course_id": b.course_id, "seq": b.seq, "problem": b.problem}
                    for b in report.broken
                ],
                "findings": [{"subject": f.subject, "problem": f.problem} for f in report.findings],
            }
        )
    else:
        for problem in report.problems():
            console.print(f"[bold red]BROKEN[/] {problem}", highlight=False, soft_wrap=True)
        console.print(
            f"{report.courses_checked} courses, {report.events_checked} events checked: "
            + (
                "every chain intact, every seal matches"
                if report.intact
                else f"{len(report.problems())} broken"
            )
        )
    if not report.intact:
        raise typer.Exit(1)
    if checkpoint:
        with operator_errors():
            taken = operations.sign_checkpoint(database_url)
        console.print(f"signed checkpoint #{taken.id} over {len(taken.subjects)} seals")
