"""The auditor's pages in Debian's Chromium: start an audit of the store, see its summary and
plots, drill down to the findings of one rule, and never see a patient's own identifier."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from playwright.sync_api import Browser, Page, expect
from web_live_server import PASSWORD, _free_port

from isotrack.audit.synth import synth_course
from isotrack.domain.timeline import load_timeline
from isotrack.server import create_app
from isotrack.service.settings import Settings
from isotrack.store.courses import import_timeline
from isotrack.store.database import open_database, upgrade_schema
from isotrack.store.users import Role, create_user

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT = ROOT / "docs" / "screenshots" / "audit-web.png"
COURSES = 16
SEED = 11

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def audit_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A store holding a synthetic clinic (violations at known rates) and one auditor."""
    directory = tmp_path_factory.mktemp("audit-web")
    url = f"sqlite:///{directory / 'isotrack.sqlite'}"
    database = open_database(url)
    upgrade_schema(database)
    with database.writing() as connection:
        doctor = create_user(connection, username="dr.audit", password=PASSWORD,
                             role=Role.PRESCRIBER)  # fmt: skip
        create_user(connection, username="auditor", password=PASSWORD, role=Role.AUDITOR)
        for index in range(COURSES):
            timeline = load_timeline(synth_course(SEED, index)[0])
            import_timeline(connection, timeline, recorded_by="dr.audit",
                            prescriber_user_id=doctor.id)  # fmt: skip
    database.dispose()
    settings = Settings(database_url=url, secret_key="audit-test-secret-key-0123456789",
                        data_dir=directory / "data")  # fmt: skip
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="on"))  # fmt: skip
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _sign_in(page: Page, base: str) -> None:
    page.goto(f"{base}/signin")
    page.get_by_label("User name").fill("auditor")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_an_auditor_runs_an_audit_and_drills_down_to_pseudonymised_findings(
    audit_server: str, browser: Browser
) -> None:
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    _sign_in(page, audit_server)
    expect(page.get_by_role("heading", name="Programme audit")).to_be_visible()
    expect(page.get_by_text("No audit has been run yet.")).to_be_visible()
    page.get_by_role("button", name="Start a new audit").click()
    deadline = time.monotonic() + 180
    while not page.get_by_role("heading", name="Latest audit").count():
        assert time.monotonic() < deadline, "the audit run did not finish"
        time.sleep(1)
        page.reload()
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text(str(COURSES))
    assert page.locator(".audit-plots svg").count() >= 2  # trend plots drawn by matplotlib
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    first_rule = page.locator("table a").first
    rule_name = first_rule.inner_text()
    first_rule.click()
    expect(page.get_by_role("heading", name=rule_name)).to_be_visible()
    rows = page.locator("tbody tr")
    assert rows.count() >= 1
    text = page.locator("main").inner_text()
    assert "ps-" in text and f"syn-{SEED}-" not in text  # pseudonyms only
    page.close()
