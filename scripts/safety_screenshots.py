#!/usr/bin/env python3
"""Screenshots of the clinical-safety pages (issue 10) from the demo clinic, into docs/screenshots/.

    .venv/bin/python scripts/safety_screenshots.py

A throw-away SQLite demo clinic (``load_demo_clinic``, the same as ``isotrack demo``), served on
a free port and driven with Debian's Chromium: the prescriber's open alerts, a hold overridden
while prescribing, the pharmacist's hold, the patient's crisis guidance, the designee's
"ask who signs", and the pregnancy exposure record with its printable report.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import uvicorn
from playwright.sync_api import Page, sync_playwright

os.environ.setdefault("ISOTRACK_PASSWORD_HASH_PROFILE", "CHEAPEST")

from isotrack.server import create_app
from isotrack.service.operations import load_demo_clinic
from isotrack.service.settings import Settings
from isotrack.store.database import open_database, upgrade_schema

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
TODAY = dt.date.today()


def serve(url: str) -> tuple[str, uvicorn.Server, threading.Thread]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = create_app(Settings(database_url=url, secret_key="screenshots-secret-key-0123456789"))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                return base, server, thread
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit("the server did not start")


def shoot(page: Page, name: str, selector: str | None = None) -> None:
    path = OUT / f"{name}.png"
    if selector is None:
        page.screenshot(path=str(path))
    else:
        page.locator(selector).first.screenshot(path=str(path))
    print(f"saved {path.relative_to(ROOT)}")


def main() -> None:
    if not CHROMIUM.exists():
        sys.exit(f"{CHROMIUM} is missing: apt-get install chromium")
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{Path(directory) / 'demo.sqlite'}"
        database = open_database(url)
        upgrade_schema(database)
        database.dispose()
        demo = load_demo_clinic(url, today=TODAY)
        assert demo is not None
        base, server, thread = serve(url)

        def signed_in(page: Page, username: str) -> Page:
            page.goto(base + "/signin")
            page.get_by_label("User name").fill(username)
            page.get_by_label("Password").fill(demo.passwords[username])
            page.get_by_role("button", name="Sign in").click()
            return page

        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
                desk = {"viewport": {"width": 1280, "height": 900}}
                lee = signed_in(browser.new_context(**desk).new_page(), "dr.lee")  # type: ignore[arg-type]
                shoot(lee, "prescriber-today-open-alerts")
                lee.get_by_role("link", name="Maya Okafor").first.click()
                maya = lee.url
                lee.locator("#record-lab_result > summary").click()
                lab = lee.locator("#form-lab-result")
                lab.locator("#form-lab-result-date").fill(TODAY.isoformat())
                lab.locator("#form-lab-result-test").fill("triglycerides")
                lab.locator("#form-lab-result-value").fill("1200")
                lab.locator("#form-lab-result-unit").fill("mg/dL")
                lab.locator("button[type=submit]").click()
                lee.goto(maya + "#safety-heading")
                shoot(lee, "prescriber-course-clinical-hold")
                pharmacy = signed_in(browser.new_context(**desk).new_page(), "pharmacist")  # type: ignore[arg-type]
                pharmacy.get_by_label("Patient identifier or authorization code").fill("demo-02")
                pharmacy.get_by_role("button", name="Find").click()
                pharmacy.get_by_role("button", name="Check and record the decision").click()
                shoot(pharmacy, "pharmacist-clinical-hold")
                lee.goto(maya)
                form = lee.locator("#form-prescription")
                form.locator("#form-prescription-date").fill(TODAY.isoformat())
                form.locator("#form-prescription-product").select_option("claravis")
                form.locator("#form-prescription-daily_dose_mg").fill("160")
                form.locator("#form-prescription-days_supply").fill("30")
                form.locator("#override-1").fill("Fasting repeat arranged; fenofibrate started.")
                form.locator("button[type=submit]").click()
                shoot(lee, "prescriber-prescription-warnings", "#prescribe")
                lee.locator("#confirm-warnings").check()
                lee.locator("#confirm-above-maximum").check()
                lee.locator("#form-prescription button[type=submit]").click()
                lee.locator("#alert-history").scroll_into_view_if_needed()
                shoot(lee, "prescriber-alert-history", "#alert-history")
                nurse = signed_in(browser.new_context(**desk).new_page(), "nurse.kim")  # type: ignore[arg-type]
                nurse.goto(maya)
                shoot(nurse, "designee-prescription", "#prescribe")
                patel = signed_in(browser.new_context(**desk).new_page(), "dr.patel")  # type: ignore[arg-type]
                patel.get_by_role("link", name="Elena Rossi").first.click()
                elena = patel.url
                patel.locator("#record-pregnancy_reported > summary").click()
                reported = patel.locator("#form-pregnancy-reported")
                reported.locator("#form-pregnancy-reported-date").fill(TODAY.isoformat())
                lmp = TODAY - dt.timedelta(days=45)
                reported.locator("#form-pregnancy-reported-last_menstrual_period").fill(
                    lmp.isoformat()
                )
                reported.locator("button[type=submit]").click()
                patel.goto(elena)
                shoot(patel, "prescriber-pregnancy-exposure", "#pregnancy-exposure")
                patel.goto(elena.split("#")[0] + "/pregnancy-exposure")
                shoot(patel, "pregnancy-exposure-report")
                patel.emulate_media(media="print")
                shoot(patel, "pregnancy-exposure-report-print")
                phone = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
                shoot(signed_in(phone, "priya"), "patient-crisis-guidance")
                browser.close()
        finally:
            server.should_exit = True
            thread.join(timeout=10)


if __name__ == "__main__":
    main()
