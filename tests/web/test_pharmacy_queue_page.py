"""The pharmacy's queue page over HTTP on the demo clinic (issues 12 and 17): Robin, the
pharmacist, reads the prescriptions waiting a page at a time, those that may be dispensed
first, each line with its check link; asking for a page past the end shows the last one."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from isotrack.server import create_app
from isotrack.service.operations import load_demo_clinic
from isotrack.service.settings import Settings
from isotrack.store.database import open_database, upgrade_schema

os.environ.setdefault("ISOTRACK_PASSWORD_HASH_PROFILE", "CHEAPEST")
TODAY = dt.date(2026, 10, 15)
LINE = re.compile(r'<tr data-patient="([^"]+)">.*?<span class="badge (\w+)">', re.S)


@pytest.fixture(scope="module")
def pharmacy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    url = f"sqlite:///{tmp_path_factory.mktemp('queue-page') / 'isotrack.sqlite'}"
    database = open_database(url)
    upgrade_schema(database)
    database.dispose()
    demo = load_demo_clinic(url, today=TODAY)
    assert demo is not None
    app = create_app(Settings(database_url=url, secret_key="k" * 32), today=lambda: TODAY)
    with TestClient(app) as web:
        page = web.post(
            "/signin",
            data={"username": "pharmacist", "password": demo.passwords["pharmacist"], "next": ""},
        )
        assert page.status_code == 200, page.text
        yield web


def _lines(html: str) -> list[tuple[str, str]]:
    """(patient id, badge) of each line, in order."""
    return LINE.findall(html)


def test_the_queue_comes_a_page_at_a_time_fillable_lines_first(pharmacy: TestClient) -> None:
    whole = pharmacy.get("/pharmacy/queue")
    assert whole.status_code == 200
    lines = _lines(whole.text)
    assert len(lines) >= 2, "the demo clinic has several prescriptions waiting"
    badges = [badge for _, badge in lines]
    # Those that may be dispensed come first (decision 44's order, kept by the rows' index).
    fillable = [b == "authorized" for b in badges]
    assert fillable == sorted(fillable, reverse=True)
    assert f"{len(lines)} waiting" in whole.text

    one_by_one = []
    for number in range(1, len(lines) + 1):
        page = pharmacy.get("/pharmacy/queue", params={"page": number, "size": 1})
        one_by_one += _lines(page.text)
        assert f"page {number} of {len(lines)}" in page.text
    assert one_by_one == lines
    past_the_end = pharmacy.get("/pharmacy/queue", params={"page": 999, "size": 1})
    assert _lines(past_the_end.text) == lines[-1:]
    # Each line opens the check for its patient, which decides again from every fact.
    assert f'href="/dispense?q={lines[0][0]}"' in whole.text


def test_only_the_pharmacy_opens_the_queue(pharmacy: TestClient) -> None:
    anonymous = TestClient(pharmacy.app).get("/pharmacy/queue", follow_redirects=False)
    assert anonymous.status_code in (303, 401, 403)
