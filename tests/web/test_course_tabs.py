"""The course page in sections (issue 17: the course page ran to 14 000 px): a row of plain
links opens one section at a time (``?tab=``), with no script; without a tab every section
shows, as before. Over HTTP without a browser; the phone-width check is in
test_browser_course_tabs."""

from __future__ import annotations

import datetime as dt
import os
import re

import pytest
from demo_store import Demo, demo_store
from fastapi.testclient import TestClient

from isotrack.server import create_app
from isotrack.service.settings import Settings

os.environ.setdefault("ISOTRACK_PASSWORD_HASH_PROFILE", "CHEAPEST")
TODAY = dt.date(2026, 10, 15)
# Each tab and a landmark only its own section prints.
LANDMARKS = {
    "overview": 'id="decision-heading"',
    "checklist": 'id="checklist-heading"',
    "dose": 'id="dose-heading"',
    "monitoring": 'id="labs-heading"',
    "safety": 'id="safety-heading"',
    "history": 'id="history-heading"',
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    return demo_store(tmp_path_factory.mktemp("tabs"), TODAY)


def maya_course_page(demo: Demo, query: str = "") -> str:
    settings = Settings(database_url=demo.url, secret_key="k" * 32)
    with TestClient(create_app(settings, today=lambda: TODAY)) as web:
        signin = {"username": "dr.lee", "password": demo.passwords["dr.lee"], "next": ""}
        assert web.post("/signin", data=signin).status_code == 200
        course = web.get("/api/v1/patients/demo-02").json()["courses"][-1]["id"]
        page = web.get(f"/courses/{course}{query}")
    assert page.status_code == 200, page.text
    return page.text


def test_without_a_tab_every_section_shows_in_one_page(demo: Demo) -> None:
    page = maya_course_page(demo)
    assert all(landmark in page for landmark in LANDMARKS.values())
    assert re.search(r'id="tab-link-all"\s+aria-current="page"', page)


@pytest.mark.parametrize("tab", list(LANDMARKS))
def test_each_tab_shows_its_own_section_only(demo: Demo, tab: str) -> None:
    page = maya_course_page(demo, f"?tab={tab}")
    assert LANDMARKS[tab] in page
    others = [t for t, landmark in LANDMARKS.items() if t != tab and landmark in page]
    assert others == [], f"the {tab} tab also prints {others}"
    # The tab row links every section and marks the one open, for screen readers too.
    assert re.search(rf'id="tab-link-{tab}"\s+aria-current="page"', page)
    assert all(f"?tab={t}" in page for t in LANDMARKS)


def test_the_prescription_form_and_the_record_forms_sit_in_their_sections(demo: Demo) -> None:
    dose = maya_course_page(demo, "?tab=dose")
    assert 'id="form-prescription"' in dose and 'id="plan-heading"' in dose
    history = maya_course_page(demo, "?tab=history")
    assert 'id="record-heading"' in history and 'id="history"' in history
    assert 'id="form-prescription"' not in history


def test_an_unknown_tab_shows_the_whole_page(demo: Demo) -> None:
    page = maya_course_page(demo, "?tab=nonsense")
    assert all(landmark in page for landmark in LANDMARKS.values())


def test_recording_from_a_section_returns_to_that_section(demo: Demo) -> None:
    # Dr Lee records Maya's weight from the History section on her phone: the answer brings her
    # back to History with the "recorded" notice, not to the whole 14 000 px page; a weight
    # refused for its value is shown again on the History section with its form open.
    settings = Settings(database_url=demo.url, secret_key="k" * 32)
    with TestClient(create_app(settings, today=lambda: TODAY)) as web:
        signin = {"username": "dr.lee", "password": demo.passwords["dr.lee"], "next": ""}
        assert web.post("/signin", data=signin).status_code == 200
        course = web.get("/api/v1/patients/demo-02").json()["courses"][-1]["id"]
        history = web.get(f"/courses/{course}?tab=history").text
        action = f'action="/courses/{course}/events?tab=history"'
        assert action in history, "the record forms post back to their section"
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', history)
        assert csrf is not None
        weight = {"csrf_token": csrf.group(1), "form_key": "weight",
                  "date": TODAY.isoformat(), "weight_kg": "58"}  # fmt: skip
        done = web.post(f"/courses/{course}/events?tab=history", data=weight,
                        follow_redirects=False)  # fmt: skip
        assert done.status_code == 303
        assert done.headers["location"].endswith("?tab=history&recorded=weight#section-history")
        back = web.get(done.headers["location"]).text
        refused = web.post(f"/courses/{course}/events?tab=history",
                           data={**weight, "weight_kg": "5800"})  # fmt: skip
    assert LANDMARKS["history"] in back and LANDMARKS["dose"] not in back
    assert refused.status_code == 422
    assert LANDMARKS["history"] in refused.text and LANDMARKS["dose"] not in refused.text
    whole = maya_course_page(demo)
    assert f'action="/courses/{course}/events"' in whole, "the whole page keeps its addresses"
