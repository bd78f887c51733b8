"""The auditor's pages are the auditor's: other roles are refused, an unknown run is not found,
and a run needs the form's CSRF token."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from isotrack.server import create_app
from isotrack.service.settings import Settings
from isotrack.store.database import open_database, upgrade_schema
from isotrack.store.users import Role, create_user

PASSWORD = "audit-page-password"


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    directory: Path = tmp_path_factory.mktemp("audit-pages")
    url = f"sqlite:///{directory / 'isotrack.sqlite'}"
    database = open_database(url)
    upgrade_schema(database)
    with database.writing() as connection:
        create_user(connection, username="aud", password=PASSWORD, role=Role.AUDITOR)
        create_user(connection, username="dr.aud", password=PASSWORD, role=Role.PRESCRIBER)
    database.dispose()
    settings = Settings(database_url=url, secret_key="k" * 32, data_dir=directory / "data")
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
