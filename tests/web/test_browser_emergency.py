"""Breaking the glass in Debian's Chromium (issue 17): Dr Patel covers for Dr Lee. Searching
for Maya finds nobody he may see; he opens her course in an emergency with his reason, reads
it on his phone, and finds no form to record with. Demo clinic on 15 October 2026."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from test_browser_patient import fits_the_screen, sign_in
from web_live_server import LiveServer, live_server

from isotrack.service.operations import load_demo_clinic

pytestmark = pytest.mark.browser
os.environ.setdefault("ISOTRACK_PASSWORD_HASH_PROFILE", "CHEAPEST")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
TODAY = dt.date(2026, 10, 15)


@pytest.fixture(scope="module")
def clinic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, dict[str, str]]]:
    with live_server(tmp_path_factory.mktemp("emergency-web"), {}) as running:
        loaded = load_demo_clinic(running.database_url, today=TODAY)
        assert loaded is not None
        running.clock.day = TODAY
        yield running, loaded.passwords


def test_a_covering_prescriber_opens_a_colleagues_patient_with_a_reason(
    clinic: tuple[LiveServer, dict[str, str]], browser: Browser
) -> None:
    server, passwords = clinic
    phone = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_in(phone, server, "dr.patel", passwords["dr.patel"])
    phone.get_by_label("Find a patient").first.fill("Okafor")
    phone.get_by_role("button", name="Search").first.click()
    expect(phone.get_by_role("status")).to_contain_text("Nobody you may see matches")
    phone.get_by_role("link", name="Open a course in an emergency").click()

    phone.get_by_label("Patient record number").fill("demo-02")
    phone.get_by_label("Why you need this record now").fill("short")
    phone.get_by_role("button", name="Open the course and log my reason").click()
    expect(phone.locator("#emergency-reason-error")).to_contain_text("at least 10 characters")
    assert fits_the_screen(phone)
    phone.screenshot(path=str(SCREENSHOTS / "emergency-access-390.png"), full_page=True)
    phone.get_by_label("Why you need this record now").fill(
        "Dr Lee away; Maya phoned about a rash and her waiting prescription"
    )
    phone.get_by_role("button", name="Open the course and log my reason").click()

    expect(phone.get_by_role("heading", level=1)).to_contain_text("Maya Okafor")
    expect(phone.locator("#emergency-notice")).to_contain_text("not record in it")
    expect(phone.locator("form[method=post]")).to_have_count(1)  # signing out only
    assert fits_the_screen(phone)
    phone.screenshot(path=str(SCREENSHOTS / "emergency-course-390.png"))
