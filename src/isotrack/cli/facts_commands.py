"""``isotrack facts``: the command's options only; the views load with the knowledge base
(``facts_view``) when the command runs, not when ``isotrack --help`` lists it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

# Imported only to run one of these commands (``command_index``), never to list them.
commands = typer.Typer()


@commands.command("facts")
def facts_command(
    topic: Annotated[
        str | None,
        typer.Argument(
            help="filter: id prefix (e.g. 'pk', 'relapse'), topic, applies_to or audience tag, "
            "or source kind"
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
    check: Annotated[
        bool, typer.Option("--check", help="validate the whole base and print record counts")
    ] = False,
    myths: Annotated[
        bool, typer.Option("--myths", help="claims from popular writing and their corrections")
    ] = False,
    disagreements: Annotated[
        bool, typer.Option("--disagreements", help="questions on which sources disagree")
    ] = False,
    sources: Annotated[bool, typer.Option("--sources", help="the bibliography")] = False,
    policy: Annotated[
        str | None,
        typer.Option("--policy", help="with --disagreements: mark the position this policy takes"),
    ] = None,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir",
            help="read the knowledge TOML files from this directory instead of the packaged base",
        ),
    ] = None,
) -> None:
    """List cited facts, myths, disagreements or sources; ``--check`` validates the base."""
    from isotrack.cli.facts_view import show_facts

    show_facts(
        topic,
        as_json=as_json,
        check=check,
        myths=myths,
        disagreements=disagreements,
        sources=sources,
        policy=policy,
        data_dir=data_dir,
    )
