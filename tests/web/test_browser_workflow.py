"""The pharmacy's day in a real browser (Debian's Chromium, driven by Playwright), issue 17.

Dr Lovelace enrols Rosa Delgado with her iPLEDGE patient id and writes her first
prescription after two negative tests. At the counter the pharmacist finds Rosa in the queue
of prescriptions waiting, then by part of her surname and by her iPLEDGE id (no system id
typed anywhere), sees the product, capsules, dose, supply and prescriber repeated on the
decision, and fills it; the queue then no longer lists her. Pages stay within a 390 px phone
screen even with a 150-letter name.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from test_browser_course import prescribe, record, sign_in
from web_live_server import LiveServer

pytestmark = pytest.mark.browser

TODAY = dt.date.today()
DAY_1 = TODAY - dt.timedelta(days=2)  # the confirmation test's specimen: today is window day 3
credentials: dict[str, tuple[str, str]] = {}  # each enrolled patient's sign-in, by name
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def day(offset: int) -> str:
    return (DAY_1 + dt.timedelta(days=offset)).isoformat()


def enrol(page: Page, server: LiveServer, name: str, registry_id: str) -> str:
    page.goto(f"{server.base_url}/patients/new")
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Programme patient id (optional)").fill(registry_id)
    page.get_by_label("Birth date").fill("1998-07-14")
    page.get_by_label("Enrolled on").fill(day(-40))
    page.get_by_label("Sex at birth").select_option("female")
    page.get_by_label("Can get pregnant").select_option("yes")
    page.get_by_label("Programme policy").select_option("us-ipledge-2026")
    page.get_by_role("button", name="Enrol").click()
    href = page.locator("#open-course").get_attribute("href") or ""
    username = page.locator("#new-username").inner_text()
    credentials[name] = (username, page.locator("#new-password").inner_text())
    return href


def prescribe_after_two_tests(page: Page) -> None:
    record(page, "contraception", {"date": day(-40)},
           checks=("combined_oral_contraceptive", "male_condom"))  # fmt: skip
    record(page, "counselling", {"date": day(-40), "topics": "pregnancy risk"})
    screening = {"result": "negative", "kind": "urine", "setting": "medical",
                 "sensitivity_miu_per_ml": "25"}  # fmt: skip
    record(page, "pregnancy_test", {"date": day(-38), **screening})
    record(page, "pregnancy_test", {"date": day(0), **screening})
    record(page, "comprehension_check", {"date": day(0), "passed": "yes"})
    record(page, "counselling", {"date": day(0)})
    # The prescription form (order entry): warnings are read and confirmed before signing.
    prescribe(page, {"date": day(0), "product": "claravis", "daily_dose_mg": "40",
                     "days_supply": "30"})  # fmt: skip


def no_horizontal_scroll(page: Page) -> bool:
    return bool(
        page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
    )


def test_the_pharmacist_finds_rosa_by_name_and_fills_from_the_queue(
    server: LiveServer, browser: Browser
) -> None:
    # The pharmacist decides only for the server's today: window day 3 of the day-1 specimen.
    server.clock.day = dt.date.fromisoformat(day(2))
    prescriber = browser.new_context().new_page()
    sign_in(prescriber, server, "dr.lovelace")
    course = enrol(prescriber, server, "Rosa Delgado", "IPL-5581-03")
    prescriber.goto(server.base_url + course)
    prescribe_after_two_tests(prescriber)
    # The prescriber finds her own patient from the search box on every staff page.
    prescriber.get_by_label("Find a patient").first.fill("delga")
    prescriber.get_by_role("button", name="Search").first.click()
    expect(prescriber.locator("#search-results")).to_contain_text("Rosa Delgado")

    pharmacist = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()
    sign_in(pharmacist, server, "pharm.curie")
    pharmacist.get_by_role("link", name="Waiting prescriptions").click()
    row = pharmacist.locator("#queue tbody tr", has_text="Rosa Delgado")
    expect(row).to_contain_text("Claravis")
    expect(row).to_contain_text("40 mg a day for 30 days")
    expect(row).to_contain_text("dr.lovelace")  # the prescriber, by their account's name
    expect(row).to_contain_text("May be dispensed")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    pharmacist.screenshot(path=str(SCREENSHOTS / "pharmacy-queue.png"), full_page=True)

    # At the counter: Rosa gives her surname, in lower case and half of it.
    pharmacist.get_by_label("Find a patient").first.fill("delgad")
    pharmacist.get_by_role("button", name="Search").first.click()
    expect(pharmacist.locator("#search-results")).to_contain_text("Tuesday 14 July 1998")
    expect(pharmacist.locator("#search-results")).to_contain_text("programme IPL-5581-03")
    pharmacist.screenshot(path=str(SCREENSHOTS / "patient-search.png"), full_page=True)
    pharmacist.get_by_role("link", name="Rosa Delgado").click()
    picker = pharmacist.get_by_label("Prescription")
    expect(picker.locator("option").first).to_contain_text("Claravis")
    expect(picker.locator("option").first).to_contain_text("40 mg a day for 30 days (waiting)")
    pharmacist.get_by_role("button", name="Check and record the decision").click()
    expect(pharmacist.locator(".decision")).to_contain_text("AUTHORIZED")
    details = pharmacist.locator("#prescription-details")
    expect(details).to_contain_text("Claravis")
    expect(details).to_contain_text("1 × 40 mg")
    expect(details).to_contain_text("dr.lovelace")
    pharmacist.screenshot(path=str(SCREENSHOTS / "dispense-decision.png"), full_page=True)
    pharmacist.get_by_role("button", name="Record dispense").click()
    expect(pharmacist.locator("#dispense-recorded")).to_contain_text("30 days")

    # The iPLEDGE patient id finds her too; the filled prescription has left the queue.
    pharmacist.goto(f"{server.base_url}/dispense?q=5581-03")
    expect(pharmacist.get_by_label("Prescription").locator("option").first).to_contain_text(
        "(filled)"
    )
    pharmacist.goto(f"{server.base_url}/pharmacy/queue")
    expect(pharmacist.locator("main")).not_to_contain_text("Rosa Delgado")


def test_the_course_page_fits_a_phone_even_with_a_very_long_name(
    server: LiveServer, browser: Browser
) -> None:
    phone = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_in(phone, server, "dr.lovelace")
    course = enrol(phone, server, "Wolfe" + "s" * 150, "IPL-0000-77")
    phone.goto(server.base_url + course)
    record(phone, "counselling", {"date": day(0), "topics": "x" * 300})
    expect(phone.locator("#history")).to_contain_text("xxxxxxxx")
    assert no_horizontal_scroll(phone)
    phone.screenshot(path=str(SCREENSHOTS / "course-390px-long-name.png"))
    phone.goto(f"{server.base_url}/search?q=wolfe")
    assert no_horizontal_scroll(phone)
    phone.goto(f"{server.base_url}/today")
    assert no_horizontal_scroll(phone)

    # The patient's own page, on her phone, with the same very long name.
    patient = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_in(patient, server, *credentials["Wolfe" + "s" * 150])
    expect(patient.get_by_role("heading", level=1)).to_have_text("Hello, Wolfe" + "s" * 150)
    assert no_horizontal_scroll(patient)
    patient.screenshot(path=str(SCREENSHOTS / "patient-390px-long-name.png"))


def test_a_mistyped_weight_is_amended_and_the_history_keeps_the_original(
    server: LiveServer, browser: Browser
) -> None:
    prescriber = browser.new_context().new_page()
    sign_in(prescriber, server, "dr.lovelace")
    course = enrol(prescriber, server, "Iris Okafor", "IPL-2210-09")
    prescriber.goto(server.base_url + course)
    # 64 kg, digits swapped (a weight outside 20-350 kg would be refused as a typing error)
    record(prescriber, "weight", {"date": day(0), "weight_kg": "46"})
    row = prescriber.locator("#history tbody tr", has_text="Weight").first
    row.locator("details.amend > summary").click()
    row.get_by_label("What to change").select_option("weight_kg")
    row.get_by_label("New value").fill("64")
    row.get_by_label("Reason for the change").fill("digits typed the wrong way round")
    row.get_by_role("button", name="Save the change").click()

    history = prescriber.locator("#history")
    correction = history.locator("tbody tr", has_text="Changed the weight")
    expect(correction).to_contain_text("weight (kg) 46 → 64")
    expect(correction).to_contain_text("Reason: digits typed the wrong way round")
    expect(correction).to_contain_text("dr.lovelace")
    original = history.locator("tbody tr", has_text="Amended: see the correction above")
    expect(original.locator("del").first).to_have_text("Weight")
    prescriber.screenshot(path=str(SCREENSHOTS / "amended-history.png"), full_page=True)


def test_a_prescriber_saves_a_plan_and_prescribes_from_it(
    server: LiveServer, browser: Browser
) -> None:
    # Noor, 60 kg, on Absorica: 0.5 mg/kg/day for 4 weeks, then 1 mg/kg/day, to 120 mg/kg.
    server.clock.day = dt.date.fromisoformat(day(2))
    prescriber = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()
    sign_in(prescriber, server, "dr.lovelace")
    course = enrol(prescriber, server, "Noor Haddad", "IPL-7310-41")
    prescriber.goto(server.base_url + course)
    prescriber.locator("#plan-this-course").click()
    prescriber.locator("#product").select_option("absorica")
    prescriber.locator("#weight_kg").fill("60")
    prescriber.locator("#phases").fill("0.5 x 4, 1.0")
    prescriber.locator("#target_mg_per_kg").fill("120")
    prescriber.get_by_role("button", name="Plan", exact=True).click()
    expect(prescriber.locator("#plan-end")).to_contain_text("last dose")
    prescriber.get_by_role("button", name="Save this plan to the course").click()

    saved = prescriber.locator("#saved-plan")
    expect(saved).to_contain_text("0.5 mg/kg/day for 4 weeks, then 1 mg/kg/day to the end")
    expect(saved).to_contain_text("target 120 mg/kg")
    expect(prescriber.locator("#plan-phases")).to_contain_text("Phase 1: 30.0 mg a day")
    prescriber.screenshot(path=str(SCREENSHOTS / "course-plan.png"), full_page=True)

    # "Prescribe phase 1 for 30 days" fills the prescription form; the prescriber signs it.
    prescriber.get_by_role("link", name="Prescribe phase 1 for 30 days").click()
    expect(prescriber.locator("#from-plan")).to_contain_text("phase 1 of the saved plan")
    expect(prescriber.locator("#form-prescription-product")).to_have_value("absorica")
    expect(prescriber.locator("#form-prescription-daily_dose_mg")).to_have_value("30")
    expect(prescriber.locator("#form-prescription-days_supply")).to_have_value("30")
    prescriber.screenshot(path=str(SCREENSHOTS / "prescription-from-plan.png"), full_page=True)
    prescriber.locator("#form-prescription button[type=submit]").click()
    # Noor has no pregnancy tests yet: the order-entry check warns that the pharmacy will
    # refuse this prescription until the programme is met; the prescriber reads it and signs.
    expect(prescriber.locator("#warnings-to-confirm")).to_be_visible()
    prescriber.locator("#confirm-warnings").check()
    prescriber.locator("#form-prescription button[type=submit]").click()
    expect(prescriber.locator("#history")).to_contain_text("absorica 30 mg/day, 30 days")

    # Raising the target changes the saved plan: refused without a reason, saved with one.
    prescriber.get_by_role("link", name="Change the plan").click()
    prescriber.locator("#target_mg_per_kg").fill("150")
    prescriber.get_by_role("button", name="Plan", exact=True).click()
    prescriber.get_by_role("button", name="Save this plan to the course").click()
    expect(prescriber.locator(".notice.error")).to_contain_text("reason")
    prescriber.locator("#plan-reason").fill("slow response at 4 months")
    prescriber.get_by_role("button", name="Save this plan to the course").click()
    expect(prescriber.locator("#saved-plan")).to_contain_text("target 150 mg/kg")
    expect(prescriber.locator("#saved-plan")).to_contain_text("slow response at 4 months")
    prescriber.locator("#earlier-plans > summary").click()
    expect(prescriber.locator("#earlier-plans")).to_contain_text("target 120 mg/kg")
