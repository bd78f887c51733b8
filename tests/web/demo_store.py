"""The demo clinic in a fresh SQLite store, for page tests that sign in as its people, and the
page client those tests drive."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from fastapi.testclient import TestClient

from isotrack.server import create_app
from isotrack.service.operations import load_demo_clinic
from isotrack.service.settings import Settings
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


def page_client(database_url: str, today: Callable[[], dt.date] | None = None) -> TestClient:
    """The whole app (pages and API) on ``database_url``, its calendar at ``today()``."""
    settings = Settings(database_url=database_url, secret_key="k" * 32)
    return TestClient(create_app(settings, today=today))


def sign_in(web: TestClient, username: str, password: str) -> str:
    """Sign in through the form, as a person does; the CSRF token the pages then embed."""
    page = web.post("/signin", data={"username": username, "password": password, "next": ""})
    assert page.status_code == 200, page.text
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found is not None, page.text
    return found.group(1)
