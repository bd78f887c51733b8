"""The demo clinic in a fresh SQLite store, for page tests that sign in as its people."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from isotrack.service.operations import load_demo_clinic
from isotrack.store.database import open_database, upgrade_schema


@dataclass(frozen=True)
class Demo:
    url: str
    passwords: dict[str, str]


def demo_store(directory: Path, today: dt.date) -> Demo:
    """A store at the current schema holding the demo clinic as of ``today``, with each demo
    person's password."""
    url = f"sqlite:///{directory / 'isotrack.sqlite'}"
    database = open_database(url)
    upgrade_schema(database)
    database.dispose()
    loaded = load_demo_clinic(url, today=today)
    assert loaded is not None
    return Demo(url, loaded.passwords)
