"""Fixtures for the web tests: a live server and Debian's Chromium driven by Playwright."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright
from web_live_server import CHROMIUM, CHROMIUM_ARGS, LiveServer, live_server, require_chromium

from isotrack.store.users import Role

STAFF = {"dr.lovelace": Role.PRESCRIBER, "pharm.curie": Role.PHARMACIST}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    directory: Path = tmp_path_factory.mktemp("web")
    with live_server(directory, STAFF) as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    require_chromium()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield launched
        launched.close()
