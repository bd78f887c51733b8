"""The root ``isotrack`` group, whose commands are built only when one is run (issue 12).

Click's documented pattern for lazily loaded subcommands (a group whose ``get_command``
imports the command's module), given to Typer as the root's ``cls``. Each command module holds
its commands on its own ``commands = typer.Typer()``; the group finds the module in
``command_index`` and builds only the command asked for. Listing the commands (``--help``)
reads the index and imports no command module.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, MutableMapping
from typing import Any

import typer
import typer.main
from typer import core as typer_core
from typer._click import Command, Context, HelpFormatter

from isotrack.cli.command_index import COMMANDS

# The root Typer's setting (``root_app.py`` passes this one), which Typer hands to every command.
PRETTY_EXCEPTIONS_SHORT = True


class LazyCommands(MutableMapping[str, Command]):
    """The group's commands by name, in the index's order; a command is built on first use."""

    def __init__(self, build: Callable[[str], Command]) -> None:
        self._build = build
        self._names = [entry.name for entry in COMMANDS]
        self._built: dict[str, Command] = {}

    def __getitem__(self, name: str) -> Command:
        if name not in self._built:
            if name not in self._names:
                raise KeyError(name)
            self._built[name] = self._build(name)
        return self._built[name]

    def __setitem__(self, name: str, command: Command) -> None:
        if name not in self._names:
            self._names.append(name)
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        self._names.remove(name)
        self._built.pop(name, None)

    def __iter__(self) -> Iterator[str]:  # names only: nothing is built
        return iter(list(self._names))

    def __len__(self) -> int:
        return len(self._names)


class LazyGroup(typer_core.TyperGroup):
    """``isotrack``: commands built when run, listed from the index."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = LazyCommands(self._build_command)

    def list_commands(self, ctx: Context) -> list[str]:
        return list(self.commands)  # TyperGroup's own would build every command

    def _build_command(self, name: str) -> Command:
        entry = next(entry for entry in COMMANDS if entry.name == name)
        defined: typer.Typer = importlib.import_module(entry.module).commands
        for info in defined.registered_commands:
            if info.name == name:
                return typer.main.get_command_from_info(
                    info,
                    pretty_exceptions_short=PRETTY_EXCEPTIONS_SHORT,
                    rich_markup_mode=self.rich_markup_mode,
                )
        for group in defined.registered_groups:
            if group.name == name:
                return typer.main.get_group_from_info(
                    group,
                    pretty_exceptions_short=PRETTY_EXCEPTIONS_SHORT,
                    rich_markup_mode=self.rich_markup_mode,
                    suggest_commands=self.suggest_commands,
                )
        raise LookupError(f"{entry.module} defines no command {name!r} (see command_index)")

    def format_help(self, ctx: Context, formatter: HelpFormatter) -> None:
        if typer_core.HAS_RICH and self.rich_markup_mode == "rich":
            from isotrack.cli.root_help import print_root_help

            print_root_help(ctx.command_path)
            return
        super().format_help(ctx, formatter)

    def format_commands(self, ctx: Context, formatter: HelpFormatter) -> None:
        # The plain (non-Rich) help: the same listing from commands that carry only their help.
        listed = typer_core.TyperGroup(
            commands={
                entry.name: typer_core.TyperCommand(entry.name, help=entry.help)
                for entry in COMMANDS
            }
        )
        typer_core.TyperGroup.format_commands(listed, ctx, formatter)
