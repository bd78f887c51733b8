"""The pages over HTTP without a browser: sign-in and expiry, CSRF, roles, calendar, planner."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from demo_store import page_client, sign_in
from fastapi.testclient import TestClient

from isotrack.store.database import open_database, upgrade_schema
from isotrack.store.users import Role, create_user

PASSWORD = "page-test-password"


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = f"sqlite:///{tmp_path_factory.mktemp('pages') / 'isotrack.sqlite'}"
    database = open_database(url)
    upgrade_schema(database)
    with database.writing() as connection:
        create_user(connection, username="dr.pages", password=PASSWORD, role=Role.PRESCRIBER)
        create_user(connection, username="ph.pages", password=PASSWORD, role=Role.PHARMACIST)
    database.dispose()
    yield url


def client(url: str) -> TestClient:
    return page_client(url)


def signed_in(web: TestClient, username: str, password: str = PASSWORD) -> str:
    """Sign in and return the CSRF token the pages embed."""
    return sign_in(web, username, password)


def enrol(web: TestClient, csrf: str, patient_id: str, policy: str) -> tuple[str, str, str]:
    page = web.post(
        "/patients/new",
        data={
            "csrf_token": csrf, "display_name": "Test Patient", "patient_id": patient_id,
            "birth_date": "2000-01-01", "enrolled_on": "2026-01-05", "sex_at_birth": "female",
            "can_get_pregnant": "yes", "policy": policy, "create_sign_in": "yes",
        },
    )  # fmt: skip
    course = re.search(r'/courses/([^"]+)" id="open-course"', page.text)
    user = re.search(r'id="new-username">([^<]+)', page.text)
    secret = re.search(r'id="new-password">([^<]+)', page.text)
    assert course and user and secret, page.text
    return course.group(1), user.group(1), secret.group(1)


def test_an_ended_session_sends_the_user_to_sign_in_and_back(app_url: str) -> None:
    with client(app_url) as web:
        web.cookies.set("isotrack_session", "a-session-that-ended-long-ago")
        page = web.get("/today", follow_redirects=False)
        assert page.status_code == 303
        assert page.headers["location"] == "/signin?next=/today&expired=1"
        assert "Your session has ended" in web.get(page.headers["location"]).text
        back = web.post(
            "/signin",
            data={"username": "dr.pages", "password": PASSWORD, "next": "/today"},
            follow_redirects=False,
        )
        assert back.headers["location"] == "/today"


def test_a_wrong_password_keeps_the_user_name_and_says_why(app_url: str) -> None:
    with client(app_url) as web:
        page = web.post("/signin", data={"username": "dr.pages", "password": "nope", "next": ""})
        assert page.status_code == 401
        assert "not right" in page.text and 'value="dr.pages"' in page.text


def test_a_form_without_the_session_csrf_token_is_refused(app_url: str) -> None:
    with client(app_url) as web:
        csrf = signed_in(web, "dr.pages")
        course_id, _, _ = enrol(web, csrf, "PG-CSRF", "us-ipledge-2026")
        page = web.post(
            f"/courses/{course_id}/events",
            data={"csrf_token": "forged", "form_key": "weight", "date": "2026-01-05",
                  "weight_kg": "60"},
        )  # fmt: skip
        assert page.status_code == 403
        history = web.get(f"/courses/{course_id}").text
        assert "60 kg" not in history  # nothing was recorded


def test_a_pharmacist_cannot_open_the_prescriber_pages(app_url: str) -> None:
    with client(app_url) as web:
        signed_in(web, "ph.pages")
        page = web.get("/today")
        assert page.status_code == 403
        assert "Not for your role" in page.text


def test_the_patient_page_offers_a_home_test_only_where_the_policy_accepts_one(
    app_url: str,
) -> None:
    # iPLEDGE 2026 accepts home tests during and after treatment (rule US-PT-06b-during) but
    # wants pre-treatment tests in a medical setting; the EU programme of 2018 names medically
    # supervised tests only. So the US patient is offered the form once the first dose is on
    # record, and the EU patient never.
    with client(app_url) as web:
        csrf = signed_in(web, "dr.pages")
        us_course, us_user, us_secret = enrol(web, csrf, "PG-US", "us-ipledge-2026")
        _, eu_user, eu_secret = enrol(web, csrf, "PG-EU", "eu-ppp-2018")
    with client(app_url) as us_patient:
        signed_in(us_patient, us_user, us_secret)
        assert 'id="form-home-pregnancy-test"' not in us_patient.get("/me").text
    with client(app_url) as web:
        csrf = signed_in(web, "dr.pages")
        started = web.post(
            f"/courses/{us_course}/events",
            data={"csrf_token": csrf, "form_key": "course_start", "date": "2026-01-06"},
        )
        assert started.status_code in (200, 303)
    with client(app_url) as us_patient:
        signed_in(us_patient, us_user, us_secret)
        assert 'id="form-home-pregnancy-test"' in us_patient.get("/me").text
    with client(app_url) as eu_patient:
        signed_in(eu_patient, eu_user, eu_secret)
        page = eu_patient.get("/me").text
        assert 'id="form-home-pregnancy-test"' not in page
        assert "does not accept home pregnancy tests" in page


def test_the_planner_fragment_shows_the_regimen_and_its_sources(app_url: str) -> None:
    # 60 kg x 0.5 mg/kg/day = 30 mg, one 30 mg Claravis capsule; 120 mg/kg x 60 kg = 7200 mg,
    # 7200 / 30 = 240 days.
    with client(app_url) as web:
        signed_in(web, "dr.pages")
        part = web.get(
            "/planner/result",
            params={"product": "claravis", "weight_kg": "60", "mg_per_kg_per_day": "0.5",
                    "start": "2026-01-05", "target_mg_per_kg": "120", "target_mode": "mg_per_kg"},
        ).text  # fmt: skip
        assert "30.0 mg a day" in part
        assert "1 × 30.0 mg" in part
        assert "240 days" in part
        assert 'id="plan-sources"' in part and "<li>" in part


def test_the_planner_names_the_field_a_typo_is_in(app_url: str) -> None:
    with client(app_url) as web:
        signed_in(web, "dr.pages")
        page = web.get(
            "/planner",
            params={"product": "claravis", "weight_kg": "sixty", "mg_per_kg_per_day": "0.5",
                    "start": "2026-01-05"},
        )  # fmt: skip
        assert page.status_code == 422
        assert 'id="weight_kg-error"' in page.text and 'value="sixty"' in page.text


def test_templates_and_static_files_are_served_by_the_app(app_url: str) -> None:
    with client(app_url) as web:
        assert web.get("/static/isotrack.css").status_code == 200
        assert web.get("/static/isotrack.js").status_code == 200
        page = web.get("/signin").text
        # Every asset comes from this app (the clinic may be offline): no other host is named.
        assert re.findall(r'(?:src|href)="(https?://[^"]+)"', page) == []
