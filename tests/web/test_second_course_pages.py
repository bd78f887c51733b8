"""A second course in one record: the API and the course page show the earlier course beside
the current one, each with its own cumulative dose (issue 11, item 10; decision 30).

Ben, 60 kg, took 30 mg a day from 5 Jan to 3 Feb 2026 (900 mg, 15 mg/kg), then restarted on
6 Apr 2026 at 40 mg, more than the EU label's 8 weeks later: a new course counted from zero.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from isotrack.server import create_app
from isotrack.service.operations import import_course, load_demo_clinic
from isotrack.service.settings import Settings
from isotrack.store.database import open_database, upgrade_schema
from timeline_cases import event, patient, timeline

os.environ.setdefault("ISOTRACK_PASSWORD_HASH_PROFILE", "CHEAPEST")
TODAY = dt.date(2026, 4, 15)


@dataclass(frozen=True)
class Clinic:
    url: str
    passwords: dict[str, str]
    course_id: str


def two_courses() -> list[dict[str, object]]:
    def rx(event_id: str, date: str, mg: int) -> dict[str, object]:
        return event(event_id, "prescription", date, product="claravis", daily_dose_mg=mg,
                     days_supply=30)  # fmt: skip

    def disp(event_id: str, date: str, rx_id: str) -> dict[str, object]:
        return event(event_id, "dispense", date, prescription_id=rx_id, days_supply=30)

    return [
        event("w1", "weight", "2026-01-02", weight_kg=60),
        rx("rx1", "2026-01-02", 30),
        disp("d1", "2026-01-05", "rx1"),
        event("s1", "course_start", "2026-01-05"),
        event("e1", "course_end", "2026-02-03"),
        rx("rx2", "2026-04-06", 40),
        disp("d2", "2026-04-06", "rx2"),
        event("s2", "course_start", "2026-04-06"),
    ]


@pytest.fixture(scope="module")
def clinic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Clinic]:
    url = f"sqlite:///{tmp_path_factory.mktemp('second') / 'isotrack.sqlite'}"
    database = open_database(url)
    upgrade_schema(database)
    database.dispose()
    loaded = load_demo_clinic(url, today=TODAY)
    assert loaded is not None
    ben = patient("pt-ben", "1996-04-02", "male", can_get_pregnant=False)
    header = import_course(
        url, timeline(*two_courses(), policy="eu-ppp-2018", patient=ben),
        prescriber_username="dr.lee", display_name="Ben Okafor",
    )  # fmt: skip
    yield Clinic(url, loaded.passwords, header.id)


def signed_in_client(clinic: Clinic) -> TestClient:
    web = TestClient(create_app(Settings(database_url=clinic.url, secret_key="k" * 32),
                                today=lambda: TODAY))  # fmt: skip
    page = web.post(
        "/signin", data={"username": "dr.lee", "password": clinic.passwords["dr.lee"], "next": ""}
    )
    assert page.status_code == 200, page.text
    return web


def test_the_api_lists_the_earlier_course_beside_the_current_dose(clinic: Clinic) -> None:
    with signed_in_client(clinic) as web:
        evaluation = web.get(f"/api/v1/courses/{clinic.course_id}/evaluation").json()
    [first] = evaluation["earlier_courses"]
    assert first["number"] == 1
    assert (first["start"], first["last_dose"]) == ("2026-01-05", "2026-02-03")
    assert first["cumulative_mg"] == pytest.approx(900)
    assert first["cumulative_mg_per_kg"] == pytest.approx(15)
    # 10 days of 40 mg on 15 Apr: the current course counts from zero.
    assert evaluation["dose"]["cumulative_mg"] == pytest.approx(400)


def test_the_course_page_shows_the_earlier_course_and_keeps_it_out_of_this_one(
    clinic: Clinic,
) -> None:
    with signed_in_client(clinic) as web:
        page = web.get(f"/courses/{clinic.course_id}")
    assert page.status_code == 200
    found = re.search(r'<ul id="earlier-courses">(.*?)</ul>', page.text, re.S)
    assert found is not None
    assert "Course 1: 2026-01-05 to 2026-02-03, 900 mg (15.0 mg/kg)" in found.group(1)
    assert "not added to this one" in page.text
    figures = re.search(r'<dl class="grid" id="dose-figures">(.*?)</dl>', page.text, re.S)
    assert figures is not None and "400 mg" in figures.group(1)
