"""The prescriber's today page read from the worklist rows (issue 12), over HTTP on the demo
clinic: Dr Lee pages through her patients, finds one by name, keeps only those with a critical
alert, and the morning after a long weekend (the calendar moved, no event recorded) the list
shows each patient as the engines judge them on the new day, not as they stood before."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from isotrack.domain.worklist_entry import STATUS_ORDER
from isotrack.engines.worklist import worklist_entry
from isotrack.server import create_app
from isotrack.service import courses
from isotrack.service.context import Service
from isotrack.service.operations import load_demo_clinic
from isotrack.service.settings import Settings
from isotrack.store.database import open_database, upgrade_schema
from isotrack.store.users import user_by_username

os.environ.setdefault("ISOTRACK_PASSWORD_HASH_PROFILE", "CHEAPEST")
TODAY = dt.date(2026, 10, 15)
ROW = re.compile(
    r'<tr class="urgency-(\d)" data-patient="([^"]+)">.*?href="/courses/([^"#]+)"', re.S
)


@pytest.fixture(scope="module")
def clinic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('today-page') / 'isotrack.sqlite'}"
    database = open_database(url)
    upgrade_schema(database)
    database.dispose()
    demo = load_demo_clinic(url, today=TODAY)
    assert demo is not None
    yield url, demo.passwords


def _signed_in(url: str, passwords: dict[str, str], clock: list[dt.date]) -> TestClient:
    app = create_app(Settings(database_url=url, secret_key="k" * 32), today=lambda: clock[0])
    web = TestClient(app)
    page = web.post("/signin", data={"username": "dr.lee", "password": passwords["dr.lee"],
                                     "next": ""})  # fmt: skip
    assert page.status_code == 200, page.text
    return web


def _rows(page: str) -> list[tuple[int, str, str]]:
    """(urgency, patient id, course id) of each line of the list, in order."""
    return [(int(u), patient, course) for u, patient, course in ROW.findall(page)]


def test_the_list_comes_a_page_at_a_time_and_finds_by_name_and_status(
    clinic: tuple[str, dict[str, str]],
) -> None:
    url, passwords = clinic
    with _signed_in(url, passwords, [TODAY]) as web:
        everyone = _rows(web.get("/today").text)
        assert len(everyone) >= 3
        assert [u for u, _, _ in everyone] == sorted(u for u, _, _ in everyone)  # urgent first

        first = web.get("/today?size=2").text
        assert "page 1 of" in first and 'rel="next" href="/today?page=2&amp;size=2"' in first
        paged: list[tuple[int, str, str]] = []
        for number in range(1, len(everyone) // 2 + 2):
            paged.extend(_rows(web.get(f"/today?size=2&page={number}").text))
        assert sorted(paged) == sorted(everyone)  # every patient once, none twice
        last = web.get("/today?size=2&page=999").text  # past the end: the last page
        assert _rows(last) == paged[-len(_rows(last)) :]

        maya = web.get("/today?q=okaf").text
        assert [patient for _, patient, _ in _rows(maya)] == ["demo-02"]  # Maya Okafor
        assert "1 of your patients match" in maya
        assert _rows(web.get("/today?q=nobody-by-that-name").text) == []

        critical = _rows(web.get("/today?status=critical").text)
        assert critical and all(u == STATUS_ORDER.index("critical") for u, _, _ in critical)
        assert {p for _, p, _ in critical} == {
            p for u, p, _ in everyone if u == STATUS_ORDER.index("critical")
        }


def test_after_a_long_weekend_the_list_shows_the_new_day_not_the_old_rows(
    clinic: tuple[str, dict[str, str]],
) -> None:
    url, passwords = clinic
    clock = [TODAY]
    later = TODAY + dt.timedelta(days=45)
    with _signed_in(url, passwords, clock) as web:
        before = _rows(web.get("/today").text)
        service: Service = web.app.state.service  # type: ignore[attr-defined]
        with service.database.reading() as connection:
            lee = user_by_username(connection, "dr.lee")
        assert lee is not None

        def judged(on: dt.date) -> dict[str, int]:
            found = {}
            for _, patient, course_id in before:
                timeline = courses.visible_course(service, lee, course_id).timeline()
                found[patient] = worklist_entry(service.knowledge(), timeline, on).urgency
            return found

        expected = judged(later)
        assert expected != judged(TODAY)  # the calendar alone changes someone's standing
        clock[0] = later
        after = _rows(web.get("/today").text)
    assert {patient: urgency for urgency, patient, _ in after} == expected
