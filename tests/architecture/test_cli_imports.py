"""The ``isotrack`` command imports only what the command being run uses (issue 12): listing
the commands, planning, evaluating and checking a dispense never load the database or web
libraries. Checked in a fresh interpreter through ``sys.modules``; no timing is asserted
(``bench/cli_startup.py`` measures the time)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SCENARIO = Path(__file__).parents[1] / "programme/scenarios/us2023-cgp-full-course.json"
SERVICE_LIBRARIES = ("sqlalchemy", "alembic", "fastapi", "starlette", "uvicorn")
# Listing the commands needs neither the domain models nor the unit registry either.
MODEL_LIBRARIES = ("pydantic", "pint")

_PROBE = """
import sys
from isotrack.cli import app
try:
    app(sys.argv[1:], prog_name="isotrack")
except SystemExit:
    pass
loaded = sorted({name.split(".")[0] for name in sys.modules} & set(sys.argv[0].split(",")))
print("LOADED:" + ",".join(loaded))
"""


def _libraries_loaded(
    arguments: list[str], libraries: tuple[str, ...] = SERVICE_LIBRARIES
) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE.replace("sys.argv[0]", repr(",".join(libraries))),
         *arguments],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    lines = [line for line in done.stdout.splitlines() if line.startswith("LOADED:")]
    assert lines, f"the command did not run: {done.stdout}\n{done.stderr}"
    return [name for name in lines[-1].removeprefix("LOADED:").split(",") if name]


@pytest.mark.parametrize(
    "arguments",
    [
        ["--help"],
        ["check-dispense", str(SCENARIO), "--on", "2024-03-08"],
        ["evaluate", str(SCENARIO), "--as-of", "2024-03-08"],
        ["plan", "--product", "claravis", "--weight-kg", "60", "--mg-per-kg", "0.5"],
    ],
    ids=["help", "check-dispense", "evaluate", "plan"],
)
def test_commands_without_a_database_load_no_database_or_web_library(
    arguments: list[str],
) -> None:
    assert _libraries_loaded(arguments) == []


def test_listing_the_commands_loads_no_model_or_unit_library() -> None:
    assert _libraries_loaded(["--help"], MODEL_LIBRARIES) == []


def test_the_probe_sees_a_library_a_command_does_load() -> None:
    # ``db status`` opens the database, so SQLAlchemy must show up: the probe can fail.
    assert "sqlalchemy" in _libraries_loaded(["db", "status", "--database-url", "sqlite://"])


# ---- The root group builds only the command that runs, and lists them from the index ----

_MAIN_PROBE = """
import sys
from isotrack.cli import main
sys.argv[0] = "isotrack"
try:
    main()
except SystemExit:
    pass
cli = sorted(name for name in sys.modules if name.startswith("isotrack.cli."))
libraries = sorted({name.split(".")[0] for name in sys.modules} & {"typer", "pint", "numpy"})
print("LOADED:" + ",".join(cli + libraries))
"""


def _modules_loaded_by_main(arguments: list[str], cache: Path | None = None) -> set[str]:
    environment = dict(os.environ)
    if cache is not None:
        environment["ISOTRACK_KNOWLEDGE_CACHE"] = str(cache)
    done = subprocess.run(
        [sys.executable, "-c", _MAIN_PROBE, *arguments], env=environment,
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    lines = [line for line in done.stdout.splitlines() if line.startswith("LOADED:")]
    assert lines, f"the command did not run: {done.stdout}\n{done.stderr}"
    return set(lines[-1].removeprefix("LOADED:").split(",")) - {""}


def test_isotrack_help_loads_neither_typer_nor_any_command_module() -> None:
    loaded = _modules_loaded_by_main(["--help"])
    assert "typer" not in loaded
    assert not {name for name in loaded if name.endswith("_commands")}


def test_a_dispense_check_builds_only_its_own_command_and_needs_no_unit_library(
    tmp_path: Path,
) -> None:
    arguments = ["check-dispense", str(SCENARIO), "--on", "2024-03-08"]
    first = _modules_loaded_by_main(arguments, cache=tmp_path)
    assert "pint" in first  # nothing cached yet: the whole base is validated, units and all
    loaded = _modules_loaded_by_main(arguments, cache=tmp_path)
    commands = {name for name in loaded if name.endswith("_commands")}
    # timeline_commands holds the shared ``parse_day`` and ``read_timeline_file``.
    assert commands == {"isotrack.cli.programme_commands", "isotrack.cli.timeline_commands"}
    # The knowledge base validated by the run before is read back: pint (and NumPy behind it)
    # load only to check units, which this course's events do not carry.
    assert not {"pint", "numpy"} & loaded


def test_the_command_index_lists_every_command_with_its_own_help() -> None:
    import importlib

    import typer

    from isotrack.cli.command_index import COMMAND_MODULES, COMMANDS
    from isotrack.cli.root_app import app

    defined = sorted(
        f"isotrack.cli.{path.stem}"
        for path in Path(importlib.import_module("isotrack.cli").__path__[0]).glob("*_commands.py")
    )
    assert sorted(COMMAND_MODULES) == defined, "a command module is missing from command_index"
    for module_name in COMMAND_MODULES:
        commands: typer.Typer = importlib.import_module(module_name).commands
        names = [info.name for info in commands.registered_commands] + [
            info.name for info in commands.registered_groups
        ]
        assert names == [entry.name for entry in COMMANDS if entry.module == module_name]
    group = typer.main.get_command(app)
    context = group.make_context("isotrack", ["--help"], resilient_parsing=True)
    assert group.list_commands(context) == [entry.name for entry in COMMANDS]
    for entry in COMMANDS:
        command = group.get_command(context, entry.name)
        assert command is not None and command.name == entry.name
        assert command.help == entry.help, f"command_index has another help for {entry.name}"
        assert command.short_help is None and not command.hidden and not command.deprecated


_HELP_PAIR_PROBE = """
import contextlib, io
import typer, typer.main, typer.rich_utils
from typer.core import TyperGroup
from isotrack.cli.root_app import app
from isotrack.cli.root_help import print_root_help

lazy = typer.main.get_command(app)
context = lazy.make_context("isotrack", ["--help"], resilient_parsing=True)
eager = TyperGroup(
    name="isotrack", help=lazy.help, no_args_is_help=True,
    commands={name: lazy.get_command(context, name) for name in lazy.list_commands(context)},
)
typer_help, ours = io.StringIO(), io.StringIO()
with contextlib.redirect_stdout(typer_help):
    typer.rich_utils.rich_format_help(
        obj=eager, ctx=eager.make_context("isotrack", [], resilient_parsing=True),
        markup_mode="rich",
    )
with contextlib.redirect_stdout(ours):
    print_root_help("isotrack")
print(repr(typer_help.getvalue()))
print(repr(ours.getvalue()))
"""


@pytest.mark.parametrize(
    "environment",
    [{}, {"COLUMNS": "60"}, {"COLUMNS": "160"}, {"FORCE_COLOR": "1", "COLUMNS": "100"},
     {"TERMINAL_WIDTH": "70"}, {"NO_COLOR": "1", "FORCE_COLOR": "1"}],
    ids=["plain", "narrow", "wide", "colour", "fixed-width", "no-colour"],
)  # fmt: skip
def test_the_root_help_drawn_without_typer_is_exactly_typers_own(
    environment: dict[str, str],
) -> None:
    keep = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "FORCE_COLOR", "NO_COLOR")}
    done = subprocess.run(
        [sys.executable, "-c", _HELP_PAIR_PROBE], env={**keep, **environment},
        capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    typer_help, ours = done.stdout.splitlines()[-2:]
    assert "check-dispense" in ours and "worklist" in ours
    assert ours == typer_help
