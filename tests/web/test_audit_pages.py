"""The auditor's pages are the auditor's: other roles are refused, an unknown run is not found,
and a run needs the form's CSRF token."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url

from isotrack.knowledge import load_knowledge
from isotrack.server import create_app
from isotrack.service.programme_overlay import KIT
from isotrack.service.settings import Settings
from isotrack.store.clinic_settings import change_setting
from isotrack.store.database import open_database, upgrade_schema
from isotrack.store.users import Role, create_user

PASSWORD = "audit-page-password"


@pytest.fixture(scope="module")
def store_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    directory: Path = tmp_path_factory.mktemp("audit-pages")
    url = f"sqlite:///{directory / 'isotrack.sqlite'}"
    database = open_database(url)
    upgrade_schema(database)
    with database.writing() as connection:
        create_user(connection, username="aud", password=PASSWORD, role=Role.AUDITOR)
        create_user(connection, username="dr.aud", password=PASSWORD, role=Role.PRESCRIBER)
    database.dispose()
    return url


@pytest.fixture(scope="module")
def web(store_url: str) -> Iterator[TestClient]:
    data_dir = Path(str(make_url(store_url).database)).parent / "data"
    settings = Settings(database_url=store_url, secret_key="k" * 32, data_dir=data_dir)
    with TestClient(create_app(settings)) as client:
        yield client


def _sign_in(web: TestClient, username: str) -> str:
    web.cookies.clear()
    page = web.post("/signin", data={"username": username, "password": PASSWORD, "next": ""})
    assert page.status_code == 200, page.text
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found is not None
    return found.group(1)


def test_the_auditor_lands_on_the_audit_page_with_no_run_yet(web: TestClient) -> None:
    _sign_in(web, "aud")
    page = web.get("/audit")
    assert page.status_code == 200
    assert "No audit has been run yet." in page.text and "Start a new audit" in page.text


def test_a_prescriber_may_not_open_the_audit(web: TestClient) -> None:
    _sign_in(web, "dr.aud")
    assert web.get("/audit", follow_redirects=False).status_code == 403


def test_an_unknown_run_is_not_found(web: TestClient) -> None:
    _sign_in(web, "aud")
    assert web.get("/audit/runs/20990101T000000-abcdef/findings").status_code == 404


def test_starting_a_run_without_the_csrf_token_is_refused(web: TestClient) -> None:
    _sign_in(web, "aud")
    refused = web.post("/audit/runs", data={}, follow_redirects=False)
    assert refused.status_code in (400, 403)


def test_an_audit_judged_with_the_clinics_settings_says_so_on_the_auditors_page(
    web: TestClient, store_url: str
) -> None:
    # The admin set the clinic's urine kit before this run: the auditor must be able to read
    # which programme settings the fills were judged with (decision 60), not only the counts.
    kit = load_knowledge().number("programme.example_clinic_urine_kit_sensitivity")
    database = open_database(store_url)
    try:
        with database.writing() as connection:
            change_setting(connection, KIT, kit, "admin")
    finally:
        database.dispose()
    csrf = _sign_in(web, "aud")
    started = web.post("/audit/runs", data={"csrf_token": csrf}, follow_redirects=False)
    assert started.status_code in (302, 303)
    deadline = time.monotonic() + 120
    while "Latest audit" not in (page := web.get("/audit")).text:
        assert time.monotonic() < deadline, "the audit run did not finish"
        time.sleep(0.5)
    assert "How this audit judged" in page.text
    assert "in force when it was recorded" in page.text
    # Programmes are named as people know them, not by the knowledge base's ids.
    assert "iPLEDGE REMS" in page.text and "us-ipledge-2023:" not in page.text
