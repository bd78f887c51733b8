"""The ``isotrack`` command. Each module below registers its commands on the one app."""

from __future__ import annotations

from isotrack.cli import commands  # noqa: F401  (registers every command)
from isotrack.cli.app import app


def main() -> None:
    app()


__all__ = ["app", "main"]
