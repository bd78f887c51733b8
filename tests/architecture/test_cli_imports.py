"""The ``isotrack`` command imports only what the command being run uses (issue 12): listing
the commands, planning, evaluating and checking a dispense never load the database or web
libraries. Checked in a fresh interpreter through ``sys.modules``; no timing is asserted
(``bench/cli_startup.py`` measures the time)."""

from __future__ import annotations

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
