"""The admin console over HTTP without a browser (issue 17): staff are told the pages are not
theirs; every form needs the session's CSRF token; a refused form names the field, the value
and what is allowed, and changes nothing; the auditor reads without forms; a clinician sets
up a sign-in code and signs in with it (codes computed at a fixed moment)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

import pyotp
import pytest
from fastapi.testclient import TestClient

from isotrack.knowledge import load_knowledge
from isotrack.server import create_app
from isotrack.service.programme_overlay import EDITION_DATE, KIT
from isotrack.service.settings import Settings
from isotrack.store.database import open_database, upgrade_schema
from isotrack.store.users import Role, create_user

PASSWORD = "admin-page-password"
MOMENT = 1_796_029_210.0  # 30 November 2026 09:00:10 UTC


@pytest.fixture
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    url = f"sqlite:///{tmp_path_factory.mktemp('admin') / 'isotrack.sqlite'}"
    database = open_database(url)
    upgrade_schema(database)
    with database.writing() as connection:
        for name, role in (("admin", Role.ADMIN), ("dr.ada", Role.PRESCRIBER),
                           ("auditor", Role.AUDITOR), ("ph.bo", Role.PHARMACIST)):  # fmt: skip
            create_user(connection, username=name, password=PASSWORD, role=role)
    database.dispose()
    with TestClient(create_app(Settings(database_url=url, secret_key="k" * 32))) as client:
        client.app.state.service.now = lambda: MOMENT  # type: ignore[attr-defined]
        yield client


def _sign_in(web: TestClient, who: str, to: str) -> str:
    page = web.post("/signin", data={"username": who, "password": PASSWORD, "next": to})
    assert page.status_code == 200, page.text
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found is not None
    return found.group(1)


def _user_id(page: str, username: str) -> str:
    found = re.search(
        rf'data-username="{re.escape(username)}">.*?/admin/accounts/([^/]+)/', page, re.S
    )
    assert found is not None
    return found.group(1)


def test_staff_are_told_the_admin_pages_are_not_theirs(web: TestClient) -> None:
    _sign_in(web, "dr.ada", "/today")
    for path in ("/admin/accounts", "/admin/sessions", "/admin/access-log", "/admin/settings"):
        page = web.get(path)
        assert page.status_code == 403
        assert "Not for your role" in page.text and "signed in as prescriber" in page.text


def test_an_account_form_without_its_csrf_token_is_refused_and_creates_nothing(
    web: TestClient,
) -> None:
    _sign_in(web, "admin", "/admin")
    sent = web.post("/admin/accounts", data={"username": "nurse.eve", "role": "pharmacist"})
    assert sent.status_code == 403 and "This form has expired" in sent.text
    assert "nurse.eve" not in web.get("/admin/accounts").text


def test_a_refused_account_names_field_value_and_what_is_allowed_and_keeps_what_was_typed(
    web: TestClient,
) -> None:
    csrf = _sign_in(web, "admin", "/admin")
    page = web.post(
        "/admin/accounts",
        data={"csrf_token": csrf, "username": "eve smith!", "display_name": "Eve Smith",
              "role": "designee", "prescriber": ""},
    )  # fmt: skip
    assert page.status_code == 422
    assert "User name “eve smith!” is not accepted: it must be 1–80 letters, digits" in page.text
    assert (
        "Acts for prescriber is not accepted: it must be the username of a prescriber" in page.text
    )
    assert 'value="Eve Smith"' in page.text
    assert 'data-username="eve smith!"' not in page.text
    made = web.post(
        "/admin/accounts",
        data={"csrf_token": csrf, "username": "eve.smith", "display_name": "Eve Smith",
              "role": "designee", "prescriber": "dr.ada"},
    )  # fmt: skip
    assert made.status_code == 200 and "Password for eve.smith" in made.text
    password = re.search(r'id="new-password">([^<]+)<', made.text)
    assert password is not None
    web.post("/signout", data={"csrf_token": csrf})
    assert (
        web.post(
            "/signin", data={"username": "eve.smith", "password": password.group(1), "next": ""}
        ).status_code
        == 200
    )


def test_the_auditor_reads_accounts_log_and_settings_but_has_no_forms(web: TestClient) -> None:
    _sign_in(web, "dr.ada", "/today")
    web.get("/patients/new")
    csrf = _sign_in(web, "auditor", "/admin/accounts")
    accounts = web.get("/admin/accounts")
    assert accounts.status_code == 200 and 'data-username="dr.ada"' in accounts.text
    assert "Create account" not in accounts.text and "/deactivate" not in accounts.text
    settings = web.get("/admin/settings")
    assert "only an admin changes them" in settings.text and "Save settings" not in settings.text
    refused = web.post("/admin/settings", data={"csrf_token": csrf, "units.enzymes": "U/L"})
    assert refused.status_code == 403
    assert web.get("/admin/sessions").status_code == 403


def test_the_access_log_page_filters_and_exports_csv(web: TestClient) -> None:
    csrf = _sign_in(web, "dr.ada", "/today")
    enrolled = web.post(
        "/patients/new",
        data={"csrf_token": csrf, "display_name": "Test Patient", "patient_id": "log-01",
              "birth_date": "2000-01-01", "enrolled_on": "2026-01-05", "sex_at_birth": "female",
              "can_get_pregnant": "yes", "policy": "us-ipledge-2026"},
    )  # fmt: skip
    course = re.search(r'/courses/([^"]+)" id="open-course"', enrolled.text)
    assert course is not None
    web.get(f"/courses/{course.group(1)}")
    _sign_in(web, "admin", "/admin")
    page = web.get("/admin/access-log", params={"user_name": "dr.ada"})
    assert page.status_code == 200 and "log-01" in page.text and "clinic pages" in page.text
    none = web.get("/admin/access-log", params={"user_name": "ph.bo"})
    assert "No access matches these filters." in none.text
    bad = web.get("/admin/access-log", params={"date_from": "yesterday"})
    assert bad.status_code == 422
    assert "From “yesterday” is not understood: it must be a date as YYYY-MM-DD." in bad.text
    exported = web.get("/admin/access-log", params={"course": course.group(1), "format": "csv"})
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert rows and {r["course_id"] for r in rows} == {course.group(1)}
    assert {r["username"] for r in rows} == {"dr.ada"}


def test_a_refused_setting_says_nothing_was_changed(web: TestClient) -> None:
    csrf = _sign_in(web, "admin", "/admin")
    page = web.post(
        "/admin/settings",
        data={"csrf_token": csrf, "units.lipids_glucose": "mmol/L", "units.enzymes": "mU/mL"},
    )
    assert page.status_code == 422
    assert (
        "“mU/mL” is not accepted; it must be one of U/L, µkat/L. Nothing was changed." in page.text
    )
    assert '<option value="mg/dL" selected>' in page.text
    saved = web.post(
        "/admin/settings",
        data={"csrf_token": csrf, "units.lipids_glucose": "mmol/L", "units.enzymes": "U/L"},
    )
    assert saved.status_code == 200 and "The settings are saved." in saved.text
    assert '<option value="mmol/L" selected>' in saved.text


def test_a_prescriber_sets_up_a_sign_in_code_and_then_signs_in_with_it(web: TestClient) -> None:
    csrf = _sign_in(web, "dr.ada", "/account/security")
    web.post("/account/second-factor/start", data={"csrf_token": csrf})
    page = web.get("/account/security")
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page.text)
    assert secret is not None and "<svg" in page.text
    totp = pyotp.TOTP(secret.group(1))
    wrong = web.post("/account/second-factor/confirm", data={"csrf_token": csrf, "code": "000"})
    assert wrong.status_code == 422
    assert "The code “000” is not accepted: it must be the 6-digit code" in wrong.text
    done = web.post(
        "/account/second-factor/confirm", data={"csrf_token": csrf, "code": totp.at(int(MOMENT))}
    )
    assert done.status_code == 200 and "Your sign-in code is on" in done.text
    web.post("/signout", data={"csrf_token": csrf})
    asked = web.post("/signin", data={"username": "dr.ada", "password": PASSWORD, "next": ""})
    assert asked.status_code == 200 and "Code from the app" in asked.text
    challenge = re.search(r'name="challenge" value="([^"]+)"', asked.text)
    assert challenge is not None
    web.app.state.service.now = lambda: MOMENT + 30  # type: ignore[attr-defined]
    signed = web.post(
        "/signin/code",
        data={"challenge": challenge.group(1), "code": totp.at(int(MOMENT + 30)), "next": ""},
    )
    assert signed.status_code == 200 and "Signed in as" in signed.text
    again = web.post(
        "/signin/code",
        data={"challenge": challenge.group(1), "code": totp.at(int(MOMENT + 30)), "next": ""},
    )
    assert again.status_code == 401 and "already used" in again.text


def test_when_codes_are_required_an_admin_without_one_is_sent_to_set_it_up(
    web: TestClient,
) -> None:
    csrf = _sign_in(web, "admin", "/admin")
    web.post(
        "/admin/settings",
        data={"csrf_token": csrf, "sign_in.second_factor_required_for_admin": "yes"},
    )
    page = web.get("/admin/accounts")
    assert page.status_code == 403 and "Set up a sign-in code first" in page.text
    assert "Sign-in security" in page.text
    # Setting the code up stays open to them, and then the console opens.
    web.post("/account/second-factor/start", data={"csrf_token": csrf})
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', web.get("/account/security").text)
    assert secret is not None
    code = pyotp.TOTP(secret.group(1)).at(int(MOMENT))
    web.post("/account/second-factor/confirm", data={"csrf_token": csrf, "code": code})
    assert web.get("/admin/accounts").status_code == 200


def test_a_programme_setting_is_refused_whole_then_saved_and_listed_as_an_admin_action(
    web: TestClient,
) -> None:
    facts = load_knowledge()
    limit = facts.number("programme.test_min_sensitivity")
    kit = facts.number("programme.example_clinic_urine_kit_sensitivity")
    csrf = _sign_in(web, "admin", "/admin")
    refused = web.post(
        "/admin/settings",
        data={"csrf_token": csrf, KIT: f"{limit + 5:g}",
              EDITION_DATE + "us-ipledge-2026": "2026-11-15"},
    )  # fmt: skip
    assert refused.status_code == 422
    assert (
        f"pregnancy-test kit (mIU/mL): “{limit + 5:g}” is not accepted; it must be a number "
        f"above 0 and at most {limit:g} mIU/mL"
    ) in refused.text
    assert f'value="{limit + 5:g}" aria-describedby="prog-1-hint prog-1-error"' in refused.text
    # The valid date sent with it was not kept either.
    assert "In force: <strong>08 Aug 2026" in refused.text
    saved = web.post("/admin/settings", data={"csrf_token": csrf, KIT: f"{kit:g}"})
    assert saved.status_code == 200 and "The programme settings are saved" in saved.text
    assert f"In force: <strong>{kit:g} mIU/mL</strong>" in saved.text
    assert f"clinic's urine kit: {kit:g} mIU/mL" in saved.text
    web.post("/admin/accounts", data={"csrf_token": csrf, "username": "ph.cy",
                                      "role": "pharmacist"})  # fmt: skip
    _sign_in(web, "auditor", "/admin/actions")
    actions = web.get("/admin/actions")
    assert actions.status_code == 200
    rows = re.findall(r"<tr><td>.*?</tr>", actions.text)
    assert "created account" in rows[0] and "ph.cy" in rows[0]
    assert "changed setting" in rows[1] and "not configured" in rows[1]
    assert f"{kit:g} mIU/mL" in rows[1] and len(rows) == 2
