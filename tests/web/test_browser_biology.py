"""The course's biology in a real browser (Debian's Chromium, driven by Playwright).

Dr Lee records an acne assessment on Maya's course page (IGA 1, "almost clear", with papules
counted on the face) and the response chart and trend show it; Maya, on a 390 px phone,
self-reports "mild" with a note and reads why contraception continues for a month after the last
capsule; Dr Lee then sees her self-report beside, not instead of, the clinic's grade (decision 17).
Screenshots go to docs/screenshots/.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from web_live_server import LiveServer, live_server

from isotrack.service.operations import load_demo_clinic
from isotrack.web.templating import long_date

pytestmark = pytest.mark.browser
os.environ.setdefault("ISOTRACK_PASSWORD_HASH_PROFILE", "CHEAPEST")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
TODAY = dt.date.today()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, dict[str, str]]]:
    with live_server(tmp_path_factory.mktemp("bio-browser"), {}) as running:
        loaded = load_demo_clinic(running.database_url, today=TODAY)
        assert loaded is not None
        yield running, loaded.passwords


def sign_in(page: Page, server: LiveServer, username: str, password: str) -> None:
    page.goto(f"{server.base_url}/signin")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_prescriber_records_an_assessment_and_patient_self_reports(
    demo: tuple[LiveServer, dict[str, str]], browser: Browser
) -> None:
    server, passwords = demo
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    doctor = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()
    sign_in(doctor, server, "dr.lee", passwords["dr.lee"])
    doctor.get_by_role("link", name="Maya Okafor").first.click()
    expect(doctor.locator("#levels-chart")).to_be_visible()
    doctor.locator("#record-acne-assessment > summary").click()
    form = doctor.locator("#form-acne-assessment")
    form.get_by_label("Date of the assessment").fill(TODAY.isoformat())
    form.get_by_label("Grade or score").fill("1")
    form.get_by_label("Papules on the face").fill("4")
    form.get_by_label("Scarring").select_option("mild")
    form.get_by_role("button", name="Record the assessment").click()

    # The trend and the chart carry the clinic's grade; IGA 0-1 is clear under every packaged
    # policy (clearance_definition, fda-acne-guidance-2018), so the clearance date is today.
    expect(doctor.locator("#response-trend")).to_contain_text("almost clear (IGA 1)")
    expect(doctor.locator("#clearance")).to_contain_text(f"Clear since {long_date(TODAY)}")
    chart_desc = doctor.locator("#response-chart desc").text_content() or ""
    assert f"{TODAY.isoformat()} grade 1" in chart_desc
    expect(doctor.locator("#treat-to-clearance")).to_contain_text("months after clearance")
    doctor.locator("#response-section").screenshot(path=str(SCREENSHOTS / "course-response.png"))
    doctor.locator("#levels-section").screenshot(path=str(SCREENSHOTS / "course-drug-levels.png"))

    # Maya on her phone: a self-report and the month after the last capsule.
    phone = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_in(phone, server, "maya", passwords["maya"])
    phone.goto(f"{server.base_url}/me")
    expect(phone.locator("#after-last-capsule")).to_contain_text("30 days")
    expect(phone.locator("#washout-chart")).to_be_visible()
    phone.locator("#report-acne-assessment > summary").click()
    phone.get_by_label("mild — some blackheads").check()
    phone.get_by_label("Anything to add? (optional)").fill("A bit dry around the lips")
    phone.get_by_role("button", name="Send").click()
    expect(phone.locator("#my-latest-grade")).to_contain_text("mild")
    phone.locator("#my-skin").screenshot(path=str(SCREENSHOTS / "patient-self-report.png"))
    phone.locator("#after-last-capsule").screenshot(
        path=str(SCREENSHOTS / "patient-after-last-capsule.png")
    )

    # Back at the clinic: the self-report sits beside the prescriber's grade, never over it.
    doctor.reload()
    expect(doctor.locator("#response-summary")).to_contain_text("latest self-report")
    expect(doctor.locator("#response-summary")).to_contain_text("mild (IGA 2)")
    expect(doctor.locator("#clearance")).to_contain_text(f"Clear since {long_date(TODAY)}")
    narrow = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_in(narrow, server, "dr.lee", passwords["dr.lee"])
    narrow.goto(doctor.url)
    narrow.locator("#response-figure").screenshot(path=str(SCREENSHOTS / "course-response-390.png"))
    narrow.locator("#levels-figure").screenshot(path=str(SCREENSHOTS / "course-levels-390.png"))
