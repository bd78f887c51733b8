"""The course page's sections on a 390 px phone in Debian's Chromium (issue 17): Dr Lovelace
opens Maya (a prescription waiting) and Priya (a PHQ-9 answer on clinical hold), both from the
demo clinic, walks through each section by its link, and no section scrolls sideways; Priya's
open hold is announced on every section. Screenshots of Priya's go to docs/screenshots/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from test_browser_course import sign_in
from web_live_server import LiveServer, live_server

from isotrack.store.courses import import_timeline
from isotrack.store.database import open_database
from isotrack.store.demo_clinic import demo_patients
from isotrack.store.users import Role, user_by_username

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
TABS = {
    "overview": "Overview",
    "checklist": "Programme checklist",
    "dose": "Dose and plan",
    "monitoring": "Monitoring and labs",
    "safety": "Safety",
    "history": "History",
}


@pytest.fixture(scope="module")
def clinic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(
        tmp_path_factory.mktemp("tabs-web"), {"dr.lovelace": Role.PRESCRIBER}
    ) as running:
        database = open_database(running.database_url)
        chosen = [p for p in demo_patients(running.clock()) if p.timeline.patient.id in
                  ("demo-02", "demo-05")]  # fmt: skip
        with database.writing() as connection:
            doctor = user_by_username(connection, "dr.lovelace")
            assert doctor is not None
            for patient in chosen:
                import_timeline(
                    connection,
                    patient.timeline,
                    recorded_by="dr.lovelace",
                    prescriber_user_id=doctor.id,
                    display_name=patient.display_name,
                )
        database.dispose()
        yield running


def fits(page: Page) -> bool:
    width = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    return bool(page.evaluate(width))


def test_each_section_of_the_course_page_fits_a_phone(clinic: LiveServer, browser: Browser) -> None:
    phone = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_in(phone, clinic, "dr.lovelace")
    for name in ("Maya Okafor", "Priya Nair"):
        phone.goto(f"{clinic.base_url}/today")
        phone.get_by_role("link", name=name).first.click()
        expect(phone.locator("#tab-link-all")).to_have_attribute("aria-current", "page")
        phone.wait_for_load_state()
        whole_height = phone.evaluate("document.documentElement.scrollHeight")
        assert fits(phone), f"{name}'s whole course page scrolls sideways"
        for tab, label in TABS.items():
            phone.locator("nav.course-tabs").get_by_role("link", name=label, exact=True).click()
            expect(phone.locator(f"#tab-link-{tab}")).to_have_attribute("aria-current", "page")
            expect(phone.locator(f"#section-{tab}")).to_be_visible()
            phone.wait_for_load_state()
            assert fits(phone), f"{name}'s {label} section scrolls sideways at 390 px"
            # One section is a fraction of the whole page.
            assert phone.evaluate("document.documentElement.scrollHeight") < whole_height
            if name == "Priya Nair":
                shot = SCREENSHOTS / f"course-tab-{tab}-390px.png"
                phone.screenshot(path=str(shot), full_page=True)
    # Priya's open safety alert is announced on every other section, linked to Safety.
    phone.locator("#tab-link-dose").click()
    expect(phone.locator("#hold-banner")).to_contain_text("open safety alert")
    phone.locator("#hold-banner a").click()
    expect(phone.locator("#tab-link-safety")).to_have_attribute("aria-current", "page")
