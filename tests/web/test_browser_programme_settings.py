"""Programme settings in Debian's Chromium (issue 17): the clinic stocks a urine pregnancy-test
kit whose figure nobody types with each test. The admin first types a kit less sensitive than
the programmes ask for and is refused (nothing changes), then the kit's real figure; the
setting is in force with its source and its history, the admin action log lists it, and the
prescriber's page for Ana no longer says her test's sensitivity is unknown.

Screenshot: docs/screenshots/admin-programme-settings.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from web_live_server import PASSWORD, LiveServer, live_server

from isotrack.domain.timeline import load_timeline
from isotrack.knowledge import load_knowledge
from isotrack.store.courses import import_timeline
from isotrack.store.database import open_database
from isotrack.store.demo_clinic import demo_patients
from isotrack.store.users import Role, user_by_username

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
FACTS = load_knowledge()
LIMIT = FACTS.number("programme.test_min_sensitivity")
KIT = FACTS.number("programme.example_clinic_urine_kit_sensitivity")
KIT_LABEL = "Sensitivity of the clinic's urine pregnancy-test kit (mIU/mL)"
UNKNOWN = "kit sensitivity not recorded"


@pytest.fixture(scope="module")
def clinic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Dr Lovelace cares for Ana, whose prescription waits to be filled (the demo's Maya's
    course); her latest test was the clinic's urine kit, with no figure written down."""
    users = {"admin": Role.ADMIN, "dr.lovelace": Role.PRESCRIBER, "auditor": Role.AUDITOR}
    with live_server(tmp_path_factory.mktemp("programme-web"), users) as running:
        database = open_database(running.database_url)
        maya = next(p for p in demo_patients(running.clock()) if p.timeline.patient.id == "demo-02")
        data = maya.timeline.to_json_dict()
        latest = max((e for e in data["events"] if e["type"] == "pregnancy_test"),
                     key=lambda e: e["date"])  # fmt: skip
        latest.pop("sensitivity_miu_per_ml")
        with database.writing() as connection:
            doctor = user_by_username(connection, "dr.lovelace")
            assert doctor is not None
            import_timeline(connection, load_timeline(data), recorded_by="dr.lovelace",
                            prescriber_user_id=doctor.id, display_name="Ana Lima")  # fmt: skip
        database.dispose()
        yield running


def _sign_in(page: Page, server: LiveServer, username: str) -> None:
    page.goto(f"{server.base_url}/signin")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _anas_course(doctor: Page, server: LiveServer) -> None:
    doctor.goto(f"{server.base_url}/today")
    doctor.get_by_role("link", name="Ana Lima").first.click()
    expect(doctor.get_by_role("heading", level=1)).to_contain_text("Ana Lima")


def test_the_admin_sets_the_clinics_urine_kit_and_sees_it_in_force(
    clinic: LiveServer, browser: Browser
) -> None:
    doctor = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()
    _sign_in(doctor, clinic, "dr.lovelace")
    _anas_course(doctor, clinic)
    expect(doctor.locator("main")).to_contain_text(UNKNOWN)

    admin = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()
    _sign_in(admin, clinic, "admin")
    admin.goto(f"{clinic.base_url}/admin/settings")
    kit = admin.get_by_label(KIT_LABEL)
    expect(kit).to_have_value("")

    # A kit that detects hCG only from above the programmes' minimum is refused at the field.
    kit.fill(f"{LIMIT + 5:g}")
    admin.get_by_role("button", name="Save programme settings").click()
    error = admin.locator(".field-error")
    expect(error).to_contain_text(f"“{LIMIT + 5:g}” is not accepted")
    expect(error).to_contain_text(f"at most {LIMIT:g} mIU/mL")
    expect(admin.get_by_role("alert")).to_contain_text("Nothing was changed")
    expect(admin.get_by_role("heading", name="Recent changes")).to_have_count(0)

    admin.get_by_label(KIT_LABEL).fill(f"{KIT:g}")
    admin.get_by_role("button", name="Save programme settings").click()
    expect(admin.get_by_role("status")).to_contain_text("in force")
    expect(admin.get_by_label(KIT_LABEL)).to_have_value(f"{KIT:g}")
    field = admin.locator(".field", has=admin.get_by_label(KIT_LABEL))
    expect(field).to_contain_text(f"In force: {KIT:g} mIU/mL")
    expect(field).to_contain_text("Chosen by admin")
    expect(field).to_contain_text("Sources:")
    history = admin.locator("ul.history li").first
    expect(history).to_contain_text(f"from not configured to {KIT:g} mIU/mL")
    editions = admin.locator("section", has=admin.get_by_role("heading", name="Programme editions"))
    expect(editions).to_contain_text(f"clinic's urine kit: {KIT:g} mIU/mL")
    admin.screenshot(path=str(SCREENSHOTS / "admin-programme-settings.png"), full_page=True)

    # The auditor reads the change, with the value before, in the admin action log.
    auditor = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()
    _sign_in(auditor, clinic, "auditor")
    auditor.goto(f"{clinic.base_url}/admin/actions")
    row = auditor.locator("tbody tr").first
    expect(row).to_contain_text("changed setting")
    expect(row).to_contain_text(KIT_LABEL)
    expect(row).to_contain_text("not configured")

    # Ana's test now counts: her page no longer calls its sensitivity unknown.
    _anas_course(doctor, clinic)
    expect(doctor.locator("main")).not_to_contain_text(UNKNOWN)
