"""A clinical hold in a real browser (issue 10): the pharmacist sees it, the prescriber
overrides it with a reason while prescribing, and the pharmacist then sees it lifted.

Triglycerides of 1 200 mg/dL are in the pancreatitis band (hold.triglycerides.
pancreatitis_band, source us-plr-w): the course is on clinical hold, the dispense is refused
whatever the programme says, and the hold is lifted only by a prescriber's review.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Browser, Page, expect
from test_browser_course import day, enrol, prescribe, record, sign_in

# day(10) is the server's today: the review is dated the day it is written, and the
# pharmacist checks on that day.
from web_live_server import LiveServer

pytestmark = pytest.mark.browser


def check(pharmacist: Page, server: LiveServer, on: str) -> None:
    server.clock.day = dt.date.fromisoformat(on)  # decisions are for the server's today
    pharmacist.goto(f"{server.base_url}/dispense")
    pharmacist.get_by_label("Patient identifier or authorization code").fill("E2E-HOLD")
    pharmacist.get_by_role("button", name="Find").click()
    pharmacist.get_by_role("button", name="Check and record the decision").click()


def test_a_hold_overridden_with_a_reason_is_seen_by_the_pharmacist_before_and_after(
    server: LiveServer, browser: Browser
) -> None:
    prescriber = browser.new_context().new_page()
    sign_in(prescriber, server, "dr.lovelace")
    course_href, _, _ = enrol(prescriber, "Hal Holder", "E2E-HOLD", "no")
    prescriber.goto(server.base_url + course_href)
    record(prescriber, "weight", {"date": day(0), "weight_kg": "70"})
    record(prescriber, "counselling", {"date": day(0)})
    record(prescriber, "comprehension_check", {"date": day(0), "passed": "yes"})
    prescribe(prescriber, {"date": day(0), "product": "claravis", "daily_dose_mg": "40",
                           "days_supply": "30"})  # fmt: skip
    record(prescriber, "lab_result", {"date": day(9), "test": "triglycerides", "value": "1200",
                                      "unit": "mg/dL"})  # fmt: skip
    expect(prescriber.locator("#safety-heading")).to_contain_text("on clinical hold")

    pharmacist = browser.new_context().new_page()
    sign_in(pharmacist, server, "pharm.curie")
    check(pharmacist, server, day(10))
    expect(pharmacist.locator(".decision")).to_contain_text("DO NOT DISPENSE")
    expect(pharmacist.locator("#clinical-judgement")).to_contain_text("on hold")
    expect(pharmacist.locator("#clinical-holds")).to_contain_text("contact the prescriber")
    # The alert's id stays out of what the pharmacist reads.
    expect(pharmacist.locator("#clinical-holds")).not_to_contain_text("TG_PANCREATITIS_RISK")

    # A new prescription cannot be signed without a reason for the hold; with one, the
    # review and the prescription are stored together.
    prescriber.goto(server.base_url + course_href)
    expect(prescriber.locator("#holds-to-review")).to_contain_text("riglycerides")
    prescribe(prescriber, {"date": day(10), "product": "claravis", "daily_dose_mg": "40",
                           "days_supply": "30"})  # fmt: skip
    expect(prescriber.locator("#holds-to-review .field-error")).to_contain_text("reason")
    prescribe(prescriber, {"date": day(10), "product": "claravis", "daily_dose_mg": "40",
                           "days_supply": "30"},
              reasons=("Fasting repeat arranged; benefit outweighs the risk.",))  # fmt: skip
    expect(prescriber.locator(".notice.success")).to_contain_text("Prescription")
    history = prescriber.locator("#alert-history")
    expect(history.locator("tr[data-state='reviewed']")).to_contain_text(
        "Fasting repeat arranged; benefit outweighs the risk."
    )
    expect(history).to_contain_text("continue treatment (hold lifted)")

    check(pharmacist, server, day(10))
    expect(pharmacist.locator("#clinical-judgement")).to_contain_text("no hold")
    expect(pharmacist.locator("#clinical-holds")).to_have_count(0)
    expect(pharmacist.locator(".decision")).to_have_text(re.compile("AUTHORIZED|DO NOT DISPENSE"))
