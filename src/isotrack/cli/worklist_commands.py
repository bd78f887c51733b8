"""``isotrack worklist refresh``: rewrite the today list's rows for what the date changed."""

from __future__ import annotations

from typing import Annotated

import typer

from isotrack.cli.operator_options import DatabaseUrl, operator_errors
from isotrack.cli.output import console

# Imported only to run one of these commands (``command_index``), never to list them.
commands = typer.Typer()

worklist_app = typer.Typer(help="The prescribers' today list.", no_args_is_help=True)
commands.add_typer(worklist_app, name="worklist")


@worklist_app.command("refresh")
def worklist_refresh(
    database_url: DatabaseUrl = None,
    everything: Annotated[
        bool, typer.Option("--all", help="rewrite every current course's row, not only stale ones")
    ] = False,
) -> None:
    """Rewrite the rows worked out before today (run daily; `serve` does it on its own)."""
    from isotrack.service import operations
    from isotrack.service.context import open_service
    from isotrack.service.settings import Settings
    from isotrack.service.worklist import refresh_worklist

    with operator_errors():
        operations.require_current_schema(database_url)
        overrides = {"database_url": database_url} if database_url else {}
        service = open_service(Settings.from_env(**overrides), pool_size=2)
        try:
            written = refresh_worklist(service, everything=everything)
        finally:
            service.close()
    console.print(f"worklist: {written} course row(s) rewritten")
