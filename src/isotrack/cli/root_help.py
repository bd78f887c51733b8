"""``isotrack --help``, drawn with Rich exactly as Typer draws it, from ``command_index``.

Typer's own help renderer (``typer.rich_utils``) imports Rich's Markdown support and with it
``markdown_it``, which alone costs about a third of the 0.2 s that listing the commands may take
(issue 12). The root help is one usage line, one paragraph, one option and a table of commands,
so it is drawn here with the same Rich objects, styles and environment settings as Typer's;
``tests/architecture/test_cli_imports.py`` compares the two outputs character for character
(plain, coloured, narrow and fixed-width terminals), so a Typer upgrade that changes its look
fails a test rather than the help drifting.
"""

from __future__ import annotations

import inspect
import os
import sys
from typing import ClassVar

from rich.align import Align
from rich.columns import Columns
from rich.console import Console
from rich.highlighter import RegexHighlighter
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from rich.theme import Theme

from isotrack.cli.command_index import COMMANDS, ROOT_HELP

# Typer's styles (typer.rich_utils), the ones the root help uses.
_THEME = {
    "option": "bold cyan",
    "switch": "bold green",
    "negative_option": "bold magenta",
    "negative_switch": "bold red",
    "types": "bold yellow",
    "types_sep": "dim",
    "usage": "yellow",
}
_HELP_OPTION = ("--help", "<bool>", "Show this message and exit.")


class _OptionHighlighter(RegexHighlighter):
    highlights: ClassVar[list[str]] = [
        r"(^|\W)(?P<switch>\-\w+)(?![a-zA-Z0-9])",
        r"(^|\W)(?P<option>\-\-[\w\-]+)(?![a-zA-Z0-9])",
        r"(?P<types>\<[^\>]+\>)",
        r"(?P<usage>Usage: )",
    ]


class _NegativeOptionHighlighter(RegexHighlighter):
    highlights: ClassVar[list[str]] = [
        r"(^|\W)(?P<negative_switch>\-\w+)(?![a-zA-Z0-9])",
        r"(^|\W)(?P<negative_option>\-\-[\w\-]+)(?![a-zA-Z0-9])",
    ]


class _TypesHighlighter(RegexHighlighter):
    highlights: ClassVar[list[str]] = [
        r"^(?P<types_sep>(\[|<))",
        r"(?P<types_sep>\|)",
        r"(?P<types_sep>(\]|>))(\.\.\.)?$",
    ]


_highlighter = _OptionHighlighter()


def _console() -> Console:
    # The same environment settings Typer reads when it draws help.
    width = os.getenv("TERMINAL_WIDTH")
    force = (
        True if os.getenv("GITHUB_ACTIONS") or os.getenv("FORCE_COLOR") or os.getenv("PY_COLORS")
        else None
    )  # fmt: skip
    if os.getenv("_TYPER_FORCE_DISABLE_TERMINAL"):
        force = False
    return Console(
        theme=Theme(_THEME),
        highlighter=_highlighter,
        color_system="auto",
        force_terminal=force,
        width=int(width) if width else None,
    )


def _help_text(text: str) -> Text:
    return _highlighter(Text.from_markup(inspect.cleandoc(text), style=""))


def _panel(table: Table, title: str) -> Panel:
    return Panel(table, border_style="dim", title=title, title_align="left")


def _table(*, highlight: bool) -> Table:
    return Table(
        highlight=highlight, show_header=False, expand=True, box=None, show_lines=False,
        leading=0, border_style=None, row_styles=None, pad_edge=False, padding=(0, 1),
    )  # fmt: skip


def print_root_help(program: str) -> None:
    """Print the help of ``program`` (the root command) to standard output."""
    console = _console()
    usage = f"Usage: {program} [OPTIONS] COMMAND [ARGS]..."
    console.print(Padding(_highlighter(usage), 1), style="bold")
    first_paragraph = inspect.cleandoc(ROOT_HELP).split("\n\n")[0].replace("\n", " ")
    console.print(Padding(Align(_help_text(first_paragraph.strip()), pad=False), (0, 1, 1, 1)))

    option, kind, option_help = _HELP_OPTION
    options = _table(highlight=True)
    options.add_row(
        _highlighter(option),
        _highlighter(""),
        _NegativeOptionHighlighter()(""),
        _NegativeOptionHighlighter()(""),
        _TypesHighlighter()(Text(kind, style="bold yellow", overflow="fold")),
        Columns([_help_text(option_help)]),
    )
    console.print(_panel(options, "Options"))

    commands = _table(highlight=False)
    commands.add_column(
        style="bold cyan", no_wrap=True, width=max(len(entry.name) for entry in COMMANDS)
    )
    commands.add_column("Description", justify="left", no_wrap=False, ratio=10)
    for entry in COMMANDS:
        # Typer keeps the first paragraph of a command's help, single line breaks included.
        first = inspect.cleandoc(entry.help).split("\n\n")[0]
        commands.add_row(Text(entry.name), _help_text(first.strip()))
    console.print(_panel(commands, "Commands"))


def help_without_typer(arguments: list[str]) -> int | None:
    """For ``isotrack --help`` and a bare ``isotrack``, print the root help without importing
    Typer at all (its import is as long again as drawing the help) and return the exit code
    Typer would give: 0 after ``--help`` (which ends with Click's empty line), 2 for no
    arguments (help instead of a usage error). ``None`` when Typer must handle the call:
    other arguments, Rich turned off, ``python -m`` naming, or a shell-completion request."""
    if arguments not in ([], ["--help"]):
        return None
    if os.getenv("TYPER_USE_RICH", "").lower() in ("n", "no", "f", "false", "off", "0"):
        return None
    main_module = sys.modules["__main__"]
    if getattr(main_module, "__package__", None) not in (None, ""):
        return None
    program = os.path.basename(sys.argv[0])
    if os.getenv(f"_{program}_COMPLETE".replace("-", "_").upper()):
        return None
    print_root_help(program)
    if arguments:
        print()
        return 0
    return 2
