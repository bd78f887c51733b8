"""One truth per course on every page (issue 17): the checklist, the today list, the dispense
decision and the patient's calendar read the same requirement states.

Rosa's first dispense (7 October 2026) went ahead without a confirmation test on record; on
5 November her second prescription waits. The confirmation test no longer applies: the
checklist says so with a note, the decision carries the same note, the today list does not
call her overdue and her calendar asks for no pre-treatment test.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from demo_store import page_client, sign_in
from fastapi.testclient import TestClient
from icalendar import Calendar

from isotrack.domain.timeline import Timeline, load_timeline
from isotrack.service.operations import import_course
from isotrack.store.database import open_database, upgrade_schema
from isotrack.store.users import Role, create_user

SCENARIO = Path(__file__).resolve().parents[1] / "programme" / "scenarios"
PASSWORD = "one-truth-password"
SECOND_FILL_DAY = dt.date(2026, 11, 5)
NOTE = "No longer applies: treatment began on 2026-10-07"
AFTER_RX2 = {"disp2", "pt4", "cns4", "rx3", "cc3", "disp3", "end", "pt5", "pt6"}


def rosa_without_confirmation_test() -> Timeline:
    """The iPLEDGE 2026 scenario course up to its second prescription, minus the confirmation
    test pt2 (the screening test pt1 stays)."""
    data = json.loads((SCENARIO / "us2026-cgp-full-course.json").read_text(encoding="utf-8"))
    data["events"] = [e for e in data["events"] if e["id"] not in AFTER_RX2 | {"pt2"}]
    return load_timeline(data)


@pytest.fixture(scope="module")
def clinic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('truth') / 'isotrack.sqlite'}"
    database = open_database(url)
    upgrade_schema(database)
    with database.writing() as connection:
        create_user(connection, username="dr.truth", password=PASSWORD, role=Role.PRESCRIBER)
        create_user(connection, username="ph.truth", password=PASSWORD, role=Role.PHARMACIST)
    database.dispose()
    header = import_course(
        url, rosa_without_confirmation_test(), prescriber_username="dr.truth", display_name="Rosa"
    )
    database = open_database(url)
    with database.writing() as connection:
        create_user(connection, username="rosa", password=PASSWORD, role=Role.PATIENT,
                    patient_id=header.patient_id)  # fmt: skip
    database.dispose()
    yield url, header.id


def client(url: str) -> TestClient:
    return page_client(url, lambda: SECOND_FILL_DAY)


def signed_in(web: TestClient, username: str) -> str:
    return sign_in(web, username, PASSWORD)


def test_the_checklist_shows_the_confirmation_test_as_no_longer_applying(
    clinic: tuple[str, str],
) -> None:
    url, course_id = clinic
    with client(url) as web:
        signed_in(web, "dr.truth")
        page = web.get(f"/courses/{course_id}").text
    row = re.search(r'<tr data-requirement="test.confirmation">(.*?)</tr>', page, re.S)
    assert row is not None
    assert "no longer applies" in row.group(1)
    assert NOTE in row.group(1)
    assert "✖ unmet" not in page.split('id="checklist"')[1].split("</table>")[0]


def test_the_today_list_does_not_call_rosa_overdue(clinic: tuple[str, str]) -> None:
    url, course_id = clinic
    with client(url) as web:
        signed_in(web, "dr.truth")
        page = web.get("/today").text
    row = re.search(rf'<tr class="urgency-[^"]*"[^>]*>(?:(?!</tr>).)*/courses/{course_id}"'
                    r"(?:(?!</tr>).)*</tr>", page, re.S)  # fmt: skip
    assert row is not None, page
    assert "overdue" not in row.group(0).lower()
    # Decision 45, one truth: the row names what lapsed, in the prescriber's words, as the
    # checklist does; it asks for nothing.
    lapsed = re.search(r'<span class="muted lapsed">([^<]*)</span>', row.group(0))
    assert lapsed is not None, row.group(0)
    assert lapsed.group(1) == (
        "Confirmation test no longer applies (treatment began 7 October 2026)"
    )
    assert "confirmation" not in row.group(0).replace(lapsed.group(0), "").lower()


def test_the_dispense_decision_carries_the_same_note(clinic: tuple[str, str]) -> None:
    url, course_id = clinic
    with client(url) as web:
        csrf = signed_in(web, "ph.truth")
        page = web.post(
            "/dispense/check",
            data={"csrf_token": csrf, "course_id": course_id, "prescription_id": "rx2"},
        )
    assert page.status_code == 200, page.text
    assert "AUTHORIZED" in page.text
    assert NOTE in page.text


def test_the_patient_calendar_asks_for_no_pre_treatment_test(clinic: tuple[str, str]) -> None:
    url, _ = clinic
    with client(url) as web:
        signed_in(web, "rosa")
        feed = web.get("/me/calendar.ics")
    assert feed.status_code == 200
    calendar = Calendar.from_ical(feed.content)
    summaries = [str(event.get("summary")) for event in calendar.walk("VEVENT")]
    assert summaries  # the next pick-up window and the tests ahead are there
    assert not [s for s in summaries if "confirmation" in s.lower() or "screening" in s.lower()]
    starts = [event.get("dtstart").dt for event in calendar.walk("VEVENT")]
    assert all(start >= SECOND_FILL_DAY for start in starts if isinstance(start, dt.date))
