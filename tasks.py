#!/usr/bin/env python3
"""The project's two everyday commands, needing nothing but Python and pip.

    python3 tasks.py run    # install into .venv, then serve isotrack with a demo clinic
    python3 tasks.py test   # install with test extras, then lint, type-check and run every test

Each command creates `.venv` beside this file on first use and reinstalls the package
into it, so a fresh clone needs no other preparation.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")


def _run(*args: str | Path) -> None:
    print("+", " ".join(str(a) for a in args), flush=True)
    completed = subprocess.run([str(a) for a in args], cwd=ROOT)
    if completed.returncode != 0:
        sys.exit(completed.returncode)


def _install(extras: str = "") -> None:
    if not (BIN / "python").exists():
        print(f"creating virtual environment in {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    target = f".[{extras}]" if extras else "."
    _run(BIN / "python", "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    _run(BIN / "python", "-m", "pip", "install", "--quiet", "-e", target)


def run() -> None:
    """Install, create or upgrade the SQLite database, add the demo clinic, serve it."""
    _install()
    _run(BIN / "isotrack", "db", "upgrade")
    _run(BIN / "isotrack", "demo")  # prints demo passwords on first run; --reset starts anew
    print("\nisotrack is starting on http://127.0.0.1:8000 (API docs at /docs); Ctrl-C stops it.")
    _run(BIN / "isotrack", "serve", "--host", "127.0.0.1", "--port", "8000")


def test() -> None:
    """Install with test extras, then ruff, mypy --strict and the whole pytest suite."""
    _install("test")
    linted = [p for p in ("src", "tests", "bench", "scripts", "tasks.py") if (ROOT / p).exists()]
    _run(BIN / "ruff", "check", *linted)
    _run(BIN / "ruff", "format", "--check", *linted)
    _run(BIN / "mypy", "--strict", "src")
    _run(BIN / "python", "-m", "pytest", "-q", "-p", "no:cacheprovider")


def main() -> None:
    commands = {"run": run, "test": test}
    if len(sys.argv) != 2 or sys.argv[1] not in commands:
        print(f"usage: python3 tasks.py {{{'|'.join(commands)}}}", file=sys.stderr)
        sys.exit(2)
    commands[sys.argv[1]]()


if __name__ == "__main__":
    main()
