"""The ``isotrack`` command. Each ``*_commands`` module defines some commands; the root group
(``app``) imports a module only when one of its commands runs (``command_index``)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from isotrack.cli.root_app import app


def main() -> None:
    if sys.argv[1:] in ([], ["--help"]):
        from isotrack.cli.root_help import help_without_typer

        code = help_without_typer(sys.argv[1:])
        if code is not None:
            raise SystemExit(code)
    from isotrack.cli.root_app import app

    app()


def __getattr__(name: str) -> object:
    # ``from isotrack.cli import app`` still works; importing the package alone (as the
    # ``isotrack`` script does) loads no Typer, so ``isotrack --help`` can do without it.
    if name == "app":
        from isotrack.cli.root_app import app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["app", "main"]
