"""A real isotrack server on a free port with a fresh SQLite store, for browser tests."""

from __future__ import annotations

import datetime as dt
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from isotrack.server import create_app
from isotrack.service.settings import Settings
from isotrack.store.database import open_database, upgrade_schema
from isotrack.store.users import Role, create_user

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "browser-test-pass"


def require_chromium() -> None:
    """Skip (or, in CI, fail) when Debian's Chromium is not installed."""
    if CHROMIUM.exists():
        return
    reason = f"{CHROMIUM} is missing: install Debian's package with 'apt-get install chromium'"
    if os.environ.get("ISOTRACK_REQUIRE_BROWSER") == "1":
        pytest.fail(reason + " (ISOTRACK_REQUIRE_BROWSER=1)")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class LiveServer:
    base_url: str
    database_url: str
    clock: ServerClock


class ServerClock:
    """The server's calendar: the real date unless a test sets a day (a pharmacist decides
    only for the server's today, so a story told over several days moves this clock)."""

    def __init__(self) -> None:
        self.day: dt.date | None = None

    def __call__(self) -> dt.date:
        return self.day or dt.date.today()


@contextmanager
def live_server(directory: Path, users: dict[str, Role], **settings: Any) -> Iterator[LiveServer]:
    """Migrate a new store, add ``users`` (all with PASSWORD), serve it until the block ends;
    ``settings`` add to the server's (an SMTP server for the reminder e-mails, say)."""
    url = f"sqlite:///{directory / 'isotrack.sqlite'}"
    database = open_database(url)
    upgrade_schema(database)
    with database.writing() as connection:
        for username, role in users.items():
            create_user(connection, username=username, password=PASSWORD, role=role)
    database.dispose()
    clock = ServerClock()
    app = create_app(
        Settings(database_url=url, secret_key="browser-test-secret-key-0123456789", **settings),
        today=clock,
    )
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.1)
    try:
        yield LiveServer(base, url, clock)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
