"""Shared output for commands: JSON for machines, Rich for people, clear errors for both."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any, NoReturn

import typer
from rich.console import Console

from isotrack.domain.errors import IsotrackInputError

if TYPE_CHECKING:
    from pydantic import BaseModel

console = Console()
error_console = Console(stderr=True)


def emit_json(payload: BaseModel | dict[str, Any] | list[Any]) -> None:
    if not isinstance(payload, (dict, list)):  # a pydantic model (pydantic loads only if used)
        payload = payload.model_dump(mode="json", by_alias=True)
    sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False, default=str) + "\n")


def fail(message: str, code: int = 2) -> NoReturn:
    error_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def fail_input(error: IsotrackInputError) -> NoReturn:
    # One fault reads best on one line; several keep their list.
    if len(error.problems) == 1:
        fail(f"{error.summary}: {error.problems[0].message()}")
    fail(str(error))
