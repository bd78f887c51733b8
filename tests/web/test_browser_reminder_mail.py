"""A reminder e-mail, from the patient's own switch to her mailbox (issue 17), with Debian's
Chromium and a real SMTP server (aiosmtpd) on 127.0.0.1.

Demo clinic on 15 October 2026: Maya's pick-up window runs from today to 20 October. On her
phone she gives her e-mail address and turns reminders on in her settings page; the daily job
that ``isotrack serve`` runs after midnight (``send_due_reminders``, against the same store
and SMTP server) then sends her one e-mail, in her words, and never the same one twice."""

from __future__ import annotations

import datetime as dt
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import Browser, expect
from test_browser_patient import fits_the_screen, sign_in
from test_reminder_mail import Mailbox
from web_live_server import LiveServer, live_server

from isotrack.service.context import open_service
from isotrack.service.operations import load_demo_clinic
from isotrack.service.settings import Settings
from isotrack.web.reminder_mail import send_due_reminders

pytestmark = pytest.mark.browser
os.environ.setdefault("ISOTRACK_PASSWORD_HASH_PROFILE", "CHEAPEST")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
TODAY = dt.date(2026, 10, 15)
SMTP = {"smtp_host": "127.0.0.1", "smtp_from": "clinic@example.org",
        "public_url": "https://clinic.example.org"}  # fmt: skip


@pytest.fixture(scope="module")
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    box = Mailbox()
    server = Controller(box, hostname="127.0.0.1", port=port)
    server.start()
    try:
        yield box, port
    finally:
        server.stop()


@pytest.fixture(scope="module")
def clinic(
    tmp_path_factory: pytest.TempPathFactory, mailbox: tuple[Mailbox, int]
) -> Iterator[tuple[LiveServer, dict[str, str]]]:
    port = mailbox[1]
    with live_server(tmp_path_factory.mktemp("reminder-web"), {}, smtp_port=port,
                     **SMTP) as running:  # fmt: skip
        loaded = load_demo_clinic(running.database_url, today=TODAY)
        assert loaded is not None
        running.clock.day = TODAY
        yield running, loaded.passwords


def run_the_daily_reminder_job(server: LiveServer, smtp_port: int) -> int:
    """What ``isotrack serve`` does once a day after midnight, on the same store."""
    settings = Settings(database_url=server.database_url, secret_key="r" * 32,
                        smtp_port=smtp_port, **SMTP)  # fmt: skip
    service = open_service(settings, today=lambda: TODAY, pool_size=2)
    try:
        return send_due_reminders(service)
    finally:
        service.close()


def test_maya_turns_reminders_on_and_the_mail_server_receives_hers(
    clinic: tuple[LiveServer, dict[str, str]], mailbox: tuple[Mailbox, int], browser: Browser
) -> None:
    server, passwords = clinic
    box, port = mailbox
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB").new_page()
    sign_in(phone, server, "maya", passwords["maya"])
    phone.get_by_role("link", name="Reminders and calendar", exact=True).click()
    expect(phone.get_by_text("Your clinic has not set up e-mail yet")).to_have_count(0)
    phone.get_by_label("My e-mail address").fill("maya@example.org")
    phone.locator("#email-reminders").check()
    phone.get_by_role("button", name="Save").click()
    expect(phone.locator(".notice.success")).to_have_text("Saved.")
    expect(phone.locator("#email-reminders")).to_be_checked()
    assert fits_the_screen(phone)
    phone.screenshot(path=str(SCREENSHOTS / "patient-reminders-on-390.png"), full_page=True)
    assert box.received == []  # nothing is sent until the daily job runs

    assert run_the_daily_reminder_job(server, port) == 1
    assert run_the_daily_reminder_job(server, port) == 0  # the same reminder never twice

    ((recipients, message),) = box.received
    assert recipients == ["maya@example.org"]
    assert message["From"] == "clinic@example.org"
    assert message["Subject"] == "Reminder: coming up in your isotretinoin treatment"
    body = message.get_content()
    assert "Maya Okafor" in body
    assert "Pick up your capsules at the pharmacy" in body
    assert "https://clinic.example.org/me" in body
    # Her words, never the clinic's records: no ids, rule names or staff terms.
    for word in ("demo-0", "prescription-", "requirement", "Dispense", "dispense.window"):
        assert word not in body
