"""The Typer application every command module registers on."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="isotrack",
    help="isotretinoin therapy management: plan, programme, monitoring, with cited sources. "
    "Clinical decision support for licensed prescribers.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
