"""Programme identifiers where the programme expects them (issue 17), over HTTP without a
browser: the iPLEDGE RMA number and its do-not-dispense-after date on the pharmacy's
dispense, the prescriber's programme id on the prescription the pharmacist checks, and the
UK acknowledgement-of-risk form on the enrolment and the checklist.
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

from isotrack.domain.timeline import load_timeline
from isotrack.service.operations import import_course
from isotrack.store.database import open_database, upgrade_schema
from isotrack.store.users import Role, create_user

PASSWORD = "programme-id-password"
SCENARIO = Path(__file__).resolve().parents[1] / "programme" / "scenarios"
SECOND_FILL_DAY = dt.date(2026, 11, 5)  # rx2 of the iPLEDGE 2026 scenario waits
LATER = {"disp2", "pt4", "cns4", "rx3", "cc3", "disp3", "end", "pt5", "pt6"}


@pytest.fixture(scope="module")
def clinic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('ids') / 'isotrack.sqlite'}"
    database = open_database(url)
    upgrade_schema(database)
    with database.writing() as connection:
        create_user(connection, username="dr.ids", password=PASSWORD, role=Role.PRESCRIBER)
        create_user(connection, username="ph.ids", password=PASSWORD, role=Role.PHARMACIST)
    database.dispose()
    data = json.loads((SCENARIO / "us2026-cgp-full-course.json").read_text(encoding="utf-8"))
    data["events"] = [e for e in data["events"] if e["id"] not in LATER]
    rx2 = next(e for e in data["events"] if e["id"] == "rx2")
    rx2["prescriber_id"] = "IPL-PR-889201"
    header = import_course(url, load_timeline(data), prescriber_username="dr.ids",
                           display_name="Rosa")  # fmt: skip
    yield url, header.id


def client(url: str) -> TestClient:
    return page_client(url, lambda: SECOND_FILL_DAY)


def signed_in(web: TestClient, username: str) -> str:
    return sign_in(web, username, PASSWORD)


def test_the_pharmacist_records_the_rma_and_an_expired_one_is_refused(
    clinic: tuple[str, str],
) -> None:
    url, course_id = clinic
    with client(url) as web:
        csrf = signed_in(web, "ph.ids")
        decided = web.post("/dispense/check", data={"csrf_token": csrf, "course_id": course_id,
                                                    "prescription_id": "rx2"})  # fmt: skip
        assert "AUTHORIZED" in decided.text
        assert "programme id IPL-PR-889201" in decided.text  # the prescriber's iPLEDGE id
        assert 'id="dispense-rma_number"' in decided.text
        action = re.search(r'action="(/dispense/authorizations/[^"]+/dispense)"', decided.text)
        assert action is not None
        fill = {"csrf_token": csrf, "date": "2026-11-05", "days_supply": "30",
                "rma_number": "RMA-5581-0311"}  # fmt: skip
        expired = web.post(action.group(1), data={**fill, "do_not_dispense_after": "2026-11-04"})
        assert expired.status_code == 422
        assert "do-not-dispense-after" in expired.text
        recorded = web.post(action.group(1), data={**fill, "do_not_dispense_after": "2026-11-10"})
        assert recorded.status_code == 200, recorded.text
        assert "iPLEDGE RMA RMA-5581-0311 (do not dispense after 2026-11-10)" in recorded.text


def test_the_uk_acknowledgement_of_risk_form_is_recorded_and_on_the_checklist(
    clinic: tuple[str, str],
) -> None:
    url, _ = clinic
    with client(url) as web:
        csrf = signed_in(web, "dr.ids")
        done = web.post("/patients/new", data={
            "csrf_token": csrf, "display_name": "Poppy Marsh", "birth_date": "2001-03-09",
            "enrolled_on": "2026-11-02", "sex_at_birth": "female", "can_get_pregnant": "yes",
            "policy": "uk-mhra-2023", "risk_form_signed_on": "2026-11-02",
            "risk_form_signed_by": "Poppy Marsh and Dr Ids",
        })  # fmt: skip
        course = re.search(r'href="(/courses/[^"]+)" id="open-course"', done.text)
        assert course is not None, done.text
        page = web.get(course.group(1)).text
    assert "Acknowledgement of risk form signed on 2026-11-02 by Poppy Marsh and Dr Ids" in page
