"""The root ``isotrack`` application: a Typer whose group builds each command only when it runs
(``lazy_group``); the commands themselves live in the ``*_commands`` modules."""

from __future__ import annotations

import typer

from isotrack.cli.command_index import ROOT_HELP
from isotrack.cli.lazy_group import PRETTY_EXCEPTIONS_SHORT, LazyGroup


def _no_options() -> None:
    """The root takes no options of its own; Typer builds a group only for an app with a
    callback or commands, and this app's commands are added by the group itself."""


app = typer.Typer(
    name="isotrack",
    help=ROOT_HELP,
    cls=LazyGroup,
    callback=_no_options,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    pretty_exceptions_short=PRETTY_EXCEPTIONS_SHORT,
)
