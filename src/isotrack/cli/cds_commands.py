"""``isotrack cds-client``: register the EHRs (CDS clients) whose signed calls isotrack trusts."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from isotrack.cli.operator_options import DatabaseUrl
from isotrack.cli.output import console, emit_json, fail, fail_input
from isotrack.domain.errors import IsotrackError, IsotrackInputError

# Imported only to run one of these commands (``command_index``), never to list them.
commands = typer.Typer()

cds_app = typer.Typer(help="CDS Hooks clients (EHRs) and their signing keys.", no_args_is_help=True)
commands.add_typer(cds_app, name="cds-client")


@cds_app.command("add")
def cds_client_add(
    issuer: Annotated[str, typer.Option("--issuer", help="the client's JWT iss claim")],
    jwks_file: Annotated[
        Path | None, typer.Option("--jwks-file", help="the client's public JWKS (JSON file)")
    ] = None,
    jwks_url: Annotated[
        str | None, typer.Option("--jwks-url", help="where the client publishes its JWKS")
    ] = None,
    fhir_server_hosts: Annotated[
        list[str] | None,
        typer.Option(
            "--fhir-server-host",
            help="a host (or host:port) the client's requests may name as fhirServer; "
            "repeat for more (none: isotrack fetches missing prefetch from nowhere)",
        ),
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Trust JWTs from ISSUER signed by a key of its JWKS (a file, or an address)."""
    from isotrack.service import cds

    if (jwks_file is None) == (jwks_url is None):
        fail("give exactly one of --jwks-file FILE or --jwks-url URL")
    text = None
    if jwks_file is not None:
        try:
            text = jwks_file.read_text(encoding="utf-8")
        except OSError as exc:
            fail(f"--jwks-file: cannot read {jwks_file}: {exc.strerror or exc}")
    try:
        client = cds.register_client_at(
            database_url, issuer, jwks_text=text, jwks_url=jwks_url,
            fhir_server_hosts=fhir_server_hosts or (),
        )  # fmt: skip
    except IsotrackInputError as exc:
        fail_input(exc)
    except IsotrackError as exc:
        fail(exc.summary)
    where = "JWKS from file" if client.jwks else f"JWKS at {client.jwks_url}"
    hosts = ", ".join(client.fhir_server_hosts) or "none"
    console.print(f"registered CDS client {client.issuer!r} ({where}; FHIR server hosts: {hosts})")


@cds_app.command("list")
def cds_client_list(database_url: DatabaseUrl = None) -> None:
    """Print the registered CDS clients as JSON."""
    from isotrack.service import cds

    try:
        clients = cds.clients_at(database_url)
    except IsotrackError as exc:
        fail(exc.summary)
    emit_json([
        {"issuer": c.issuer, "jwks": "file" if c.jwks else None, "jwks_url": c.jwks_url,
         "fhir_server_hosts": list(c.fhir_server_hosts), "added_at": c.added_at}
        for c in clients
    ])  # fmt: skip
