"""What every operator command shares: the database option and how service errors end it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from isotrack.cli.output import fail, fail_input
from isotrack.domain.errors import IsotrackError, IsotrackInputError

DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="SQLAlchemy URL; default $ISOTRACK_DATABASE_URL or sqlite:///var/isotrack.sqlite",
    ),
]


@contextmanager
def operator_errors() -> Iterator[None]:
    """The service's errors as the command's message and exit status."""
    try:
        yield
    except IsotrackInputError as exc:
        fail_input(exc)
    except IsotrackError as exc:
        fail(exc.summary)
