"""One whole course in a real browser (Debian's Chromium, driven by Playwright).

The prescriber enrols a patient who can get pregnant, records contraception, counselling, two
pregnancy tests, a comprehension check and a prescription; a lab result in a unit that cannot
express the test is refused next to the unit field. The pharmacist is refused on day 8 of the
window and authorized on day 3 (the 7-day window opened by the specimen collected on day 1,
iPLEDGE 2026, sources prog-ipledge-label and prog-fda-ipledge-page), and records the dispense.
The patient reports a PHQ-9 with item 9 > 0; the prescriber's today page shows that patient first,
with a critical alert.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Browser, Page, expect
from web_live_server import PASSWORD, LiveServer

from isotrack.web.templating import long_date

pytestmark = pytest.mark.browser

TODAY = dt.date.today()
DAY_1 = TODAY - dt.timedelta(days=10)  # specimen of the confirmation test: window day 1


def day(offset: int) -> str:
    return (DAY_1 + dt.timedelta(days=offset)).isoformat()


def sign_in(page: Page, server: LiveServer, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{server.base_url}/signin")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def record(page: Page, form_key: str, fields: dict[str, str], checks: tuple[str, ...] = ()) -> None:
    """Open one event form on the course page, fill it and send it."""
    form_id = "form-" + form_key.replace("_", "-")
    page.locator(f"#record-{form_key} > summary").click()
    form = page.locator(f"#{form_id}")
    for name, value in fields.items():
        field = form.locator(f"#{form_id}-{name}")
        if field.evaluate("el => el.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    for value in checks:
        form.locator(f"input[value='{value}']").check()
    form.locator("button[type=submit]").click()


def prescribe(page: Page, fields: dict[str, str], reasons: tuple[str, ...] = ()) -> None:
    """Fill the prescription form, give a reason for each open hold, confirm the warnings the
    order-entry check shows (issue 10: the prescriber reads them before signing) and sign."""
    form = page.locator("#form-prescription")
    for name, value in fields.items():
        field = form.locator(f"#form-prescription-{name}")
        if field.evaluate("el => el.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    for index, reason in enumerate(reasons, start=1):
        form.locator(f"#override-{index}").fill(reason)
    # The form posts and a new page loads: look for warnings only on that page, never on the
    # one still showing while the request is in flight.
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    warnings = page.locator("#warnings-to-confirm")
    if warnings.count():
        page.locator("#confirm-warnings").check()
        page.locator("#form-prescription button[type=submit]").click()


def enrol(page: Page, name: str, patient_id: str, pregnant: str) -> tuple[str, str, str]:
    page.get_by_role("link", name="Enrol a patient").click()
    page.get_by_label("Name").fill(name)
    page.get_by_label("Patient identifier (optional)").fill(patient_id)
    page.get_by_label("Birth date").fill("1999-04-02")
    page.get_by_label("Enrolled on").fill(day(-40))
    page.get_by_label("Sex at birth").select_option("female")
    page.get_by_label("Can get pregnant").select_option(pregnant)
    page.get_by_label("Programme policy").select_option("us-ipledge-2026")
    page.get_by_role("button", name="Enrol").click()
    expect(page.locator("#enrolled")).to_be_visible()
    username = page.locator("#new-username").inner_text()
    password = page.locator("#new-password").inner_text()
    href = page.locator("#open-course").get_attribute("href") or ""
    return href, username, password


def check_dispense(page: Page, server: LiveServer, on: str) -> None:
    # A decision is only ever for the server's today (issue 16): the story moves the clock.
    server.clock.day = dt.date.fromisoformat(on)
    page.get_by_label("Patient identifier or authorization code").fill("E2E-ADA")
    page.get_by_role("button", name="Find").click()
    page.get_by_role("button", name="Check and record the decision").click()


def test_one_whole_course(server: LiveServer, browser: Browser) -> None:
    prescriber = browser.new_context().new_page()
    sign_in(prescriber, server, "dr.lovelace")
    expect(prescriber.get_by_role("heading", level=1)).to_contain_text("Today")

    # A second patient who cannot get pregnant, so that "first on the list" means something.
    enrol(prescriber, "Bea Calm", "E2E-BEA", "no")
    prescriber.goto(f"{server.base_url}/today")
    course_href, patient_user, patient_password = enrol(prescriber, "Ada Example", "E2E-ADA", "yes")
    prescriber.goto(server.base_url + course_href)

    # Two methods (one primary) from 40 days before window day 1, then tests 38 days apart.
    record(prescriber, "contraception", {"date": day(-40)},
           checks=("combined_oral_contraceptive", "male_condom"))  # fmt: skip
    expect(prescriber.locator(".notice.success")).to_contain_text("Recorded: Contraception")
    record(prescriber, "counselling", {"date": day(-40), "topics": "pregnancy risk"})
    screening = {"result": "negative", "kind": "urine", "setting": "medical",
                 "sensitivity_miu_per_ml": "25"}  # fmt: skip
    record(prescriber, "pregnancy_test", {"date": day(-38), **screening})
    record(prescriber, "pregnancy_test", {"date": day(0), **screening})
    record(prescriber, "comprehension_check", {"date": day(0), "passed": "yes"})
    record(prescriber, "counselling", {"date": day(0)})

    # ALT is an enzyme activity (U/L): mmol/L cannot express it, and the form says so in place.
    record(prescriber, "lab_result", {"date": day(0), "test": "ALT", "value": "30",
                                      "unit": "mmol/L"})  # fmt: skip
    unit_error = prescriber.locator("#form-lab-result-unit-error")
    expect(unit_error).to_be_visible()
    expect(unit_error).to_contain_text("U/L")
    expect(prescriber.locator("#form-lab-result-value")).to_have_value("30")  # typed text kept
    expect(prescriber.locator("#form-lab-result-unit")).to_have_value("mmol/L")

    prescribe(prescriber, {"date": day(0), "product": "claravis", "daily_dose_mg": "40",
                           "days_supply": "30"})  # fmt: skip
    expect(prescriber.locator("#history")).to_contain_text("claravis 40 mg/day, 30 days")

    pharmacist = browser.new_context().new_page()
    sign_in(pharmacist, server, "pharm.curie")
    # Day 8: the window opened by the day-1 specimen closed after day 7.
    check_dispense(pharmacist, server, day(7))
    expect(pharmacist.locator(".decision")).to_contain_text("DO NOT DISPENSE")
    expect(pharmacist.locator("#decision-reasons")).to_contain_text("window")
    # Day 3: inside the window; the last day to dispense is day 7, printed in full.
    pharmacist.get_by_role("link", name=re.compile("Ada Example")).click()
    check_dispense(pharmacist, server, day(2))
    expect(pharmacist.locator(".decision")).to_contain_text("AUTHORIZED")
    last_day = DAY_1 + dt.timedelta(days=6)
    expect(pharmacist.locator("#dispense-by")).to_have_text(long_date(last_day))
    pharmacist.get_by_label("Dispensed on").fill(day(2))
    pharmacist.get_by_role("button", name="Record dispense").click()
    expect(pharmacist.locator("#dispense-recorded")).to_contain_text("30 days")
    server.clock.day = None  # back to the real today for the rest of the story

    patient = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_in(patient, server, patient_user, patient_password)
    expect(patient.get_by_role("heading", level=1)).to_have_text("Hello, Ada Example")
    patient.locator("#report-mood_screen > summary").click()
    form = patient.locator("#form-mood-screen")
    for item in range(1, 10):
        form.locator(f"#form-mood-screen-item_{item}").select_option("1" if item == 9 else "0")
    form.get_by_role("button").click()
    expect(patient.locator(".notice.success")).to_contain_text("your care team has received it")
    # Issue 10: the crisis guidance of the policy's market comes first (US: 988,
    # saf-988-lifeline), and no myth card is shown in that moment.
    expect(patient.locator("#crisis-guidance")).to_be_visible()
    expect(patient.locator("#crisis-lines")).to_contain_text("988")
    expect(patient.locator("#crisis-steps")).to_contain_text("care team today")
    expect(patient.get_by_text("Myths and facts")).to_have_count(0)
    first_section = patient.locator("main h2").first
    expect(first_section).to_have_attribute("id", "crisis-heading")

    prescriber.goto(f"{server.base_url}/today")
    first = prescriber.locator("#today-table tbody tr").first
    expect(first).to_have_attribute("data-patient", "E2E-ADA")
    expect(first.locator(".badge")).to_contain_text("critical")
    # ...and the item-9 answer at the very top, above the list, with its Review form.
    top = prescriber.locator("#open-alerts li").first
    expect(top).to_contain_text("Ada Example")
    expect(top.locator("summary")).to_have_text("Review this alert")
