"""The admin console in Debian's Chromium (issue 17): the admin creates a designee for a
prescriber, hands over the password shown once, sees the new session and the access log,
deactivates the account (the designee's open page ends), and switches the clinic to mmol/L,
which the prescriber's lab chart then shows, readable on a 390 px phone.

Screenshots go to docs/screenshots/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from web_live_server import PASSWORD, LiveServer, live_server

from isotrack.store.courses import import_timeline
from isotrack.store.database import open_database
from isotrack.store.demo_clinic import demo_patients
from isotrack.store.users import Role, user_by_username

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture(scope="module")
def clinic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """An admin, a prescriber and an auditor; the prescriber cares for Tomás (triglycerides
    620 mg/dL five days ago, from the demo clinic)."""
    users = {"admin": Role.ADMIN, "dr.lovelace": Role.PRESCRIBER, "auditor": Role.AUDITOR}
    with live_server(tmp_path_factory.mktemp("admin-web"), users) as running:
        database = open_database(running.database_url)
        tomas = next(
            p for p in demo_patients(running.clock()) if p.timeline.patient.id == "demo-04"
        )
        with database.writing() as connection:
            doctor = user_by_username(connection, "dr.lovelace")
            assert doctor is not None
            import_timeline(
                connection,
                tomas.timeline,
                recorded_by="dr.lovelace",
                prescriber_user_id=doctor.id,
                display_name=tomas.display_name,
            )
        database.dispose()
        yield running


def _sign_in(page: Page, server: LiveServer, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{server.base_url}/signin")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_the_admin_creates_and_deactivates_an_account(clinic: LiveServer, browser: Browser) -> None:
    admin = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()
    _sign_in(admin, clinic, "admin")
    expect(admin.get_by_role("heading", name="Accounts")).to_be_visible()

    # A designee without a prescriber is refused at the field, and nothing is created.
    admin.get_by_label("User name").fill("nurse.grace")
    admin.get_by_label("Full name").fill("Grace Hopper")
    admin.get_by_label("Role").select_option("designee")
    admin.get_by_role("button", name="Create account").click()
    expect(admin.locator("#new-prescriber-error")).to_contain_text("the username of a prescriber")
    expect(admin.locator('tr[data-username="nurse.grace"]')).to_have_count(0)
    admin.get_by_label("Acts for prescriber (designees only)").select_option("dr.lovelace")
    admin.get_by_role("button", name="Create account").click()
    expect(admin.locator("#handed-over")).to_contain_text("Password for nurse.grace")
    password = admin.locator("#new-password").inner_text()
    row = admin.locator('tr[data-username="nurse.grace"]')
    expect(row).to_contain_text("acts for dr.lovelace")
    admin.screenshot(path=str(SCREENSHOTS / "admin-accounts.png"), full_page=True)

    # Grace signs in with the handed-over password and opens her prescriber's list.
    grace = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    _sign_in(grace, clinic, "nurse.grace", password)
    expect(grace.get_by_text("Tomás Reyes").first).to_be_visible()
    # The list shows names and statuses from the worklist; opening the course reads the record.
    grace.get_by_role("link", name="Tomás Reyes").first.click()
    expect(grace.get_by_role("heading", level=1)).to_contain_text("Tomás Reyes")

    # The admin sees her session, and her reading of Tomás's course in the access log.
    admin.get_by_role("link", name="Sessions").click()
    expect(admin.locator('tr[data-username="nurse.grace"]')).to_have_count(1)
    admin.screenshot(path=str(SCREENSHOTS / "admin-sessions.png"), full_page=True)
    admin.get_by_role("link", name="Access log").click()
    admin.get_by_label("Person (user name)").fill("nurse.grace")
    admin.get_by_role("button", name="Show").click()
    expect(admin.locator("tbody tr").first).to_contain_text("demo-04")
    admin.screenshot(path=str(SCREENSHOTS / "admin-access-log.png"), full_page=True)

    # Deactivated, Grace's open page sends her to sign in, and her password no longer works.
    admin.get_by_role("link", name="Accounts").click()
    admin.get_by_role("button", name="Deactivate nurse.grace").click()
    expect(admin.get_by_role("status")).to_contain_text("deactivated")
    expect(admin.locator('tr[data-username="nurse.grace"]')).to_contain_text("deactivated")
    grace.reload()
    expect(grace).to_have_url(re.compile(r"/signin\?next="))
    _sign_in(grace, clinic, "nurse.grace", password)
    expect(grace.locator("#signin-error")).to_contain_text("not right")

    # On a phone the accounts page fits the screen: no sideways scrolling.
    phone = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    _sign_in(phone, clinic, "admin")
    expect(phone.get_by_role("heading", name="Accounts")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    phone.screenshot(path=str(SCREENSHOTS / "admin-accounts-390.png"), full_page=True)


def test_a_prescriber_is_told_the_admin_pages_are_not_theirs(
    clinic: LiveServer, browser: Browser
) -> None:
    doctor = browser.new_context(viewport={"width": 1200, "height": 700}).new_page()
    _sign_in(doctor, clinic, "dr.lovelace")
    doctor.goto(f"{clinic.base_url}/admin/accounts")
    expect(doctor.get_by_role("heading", name="Not for your role")).to_be_visible()
    expect(doctor.locator("main")).to_contain_text("This page is for admin, auditor")


def test_the_clinic_switches_to_mmol_and_the_lab_chart_follows_on_a_phone(
    clinic: LiveServer, browser: Browser
) -> None:
    admin = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()
    _sign_in(admin, clinic, "admin")
    admin.goto(f"{clinic.base_url}/admin/settings")
    admin.get_by_label("Lipids and glucose shown in").select_option("mmol/L")
    admin.get_by_role("button", name="Save settings").click()
    expect(admin.get_by_role("status")).to_contain_text("saved")
    admin.screenshot(path=str(SCREENSHOTS / "admin-settings.png"), full_page=True)

    phone = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    _sign_in(phone, clinic, "dr.lovelace")
    phone.get_by_text("Tomás Reyes").first.click()
    figure = phone.locator("figure", has_text="Triglycerides (mmol/L)")
    expect(figure).to_be_visible()
    box = figure.locator("svg").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    # 620 mg/dL of triglyceride is 7.0 mmol/L: the chart shows the converted value only.
    description = figure.locator("svg desc").text_content() or ""
    assert "Triglycerides in mmol/L" in description and "620" not in description
    assert re.search(r" (6\.9|7\.0|7)(;|\.|$)", description), description
    figure.scroll_into_view_if_needed()
    figure.screenshot(path=str(SCREENSHOTS / "course-lab-chart-mmol-390.png"))


def test_a_staff_member_sets_up_a_sign_in_code(clinic: LiveServer, browser: Browser) -> None:
    auditor = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    _sign_in(auditor, clinic, "auditor")
    auditor.goto(f"{clinic.base_url}/account/security")
    auditor.get_by_role("button", name="Set up a sign-in code").click()
    expect(auditor.locator("#totp-secret")).to_have_text(re.compile(r"^[A-Z2-7]{32}$"))
    expect(auditor.locator(".qr svg")).to_be_visible()
    auditor.locator("#second-factor").screenshot(path=str(SCREENSHOTS / "account-sign-in-code.png"))
