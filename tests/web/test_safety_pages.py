"""Clinical safety on the pages, over HTTP without a browser (issue 10), on the demo clinic:
the prescriber's today page puts open critical alerts first with a Review form, the course
page keeps each alert's history and signs prescriptions through the order-entry check, the
pharmacist reads "programme" and "clinical" apart, the patient with an item-9 answer sees
crisis guidance first and no myth, and a pregnancy opens the printable exposure record."""

from __future__ import annotations

import datetime as dt
import html
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
DAY = TODAY.isoformat()


@pytest.fixture(scope="module")
def clinic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('safety-pages') / 'isotrack.sqlite'}"
    database = open_database(url)
    upgrade_schema(database)
    database.dispose()
    demo = load_demo_clinic(url, today=TODAY)
    assert demo is not None
    yield url, demo.passwords


def _client(url: str) -> TestClient:
    return TestClient(
        create_app(Settings(database_url=url, secret_key="k" * 32), today=lambda: TODAY)
    )


def _sign_in(web: TestClient, passwords: dict[str, str], username: str) -> str:
    page = web.post("/signin", data={"username": username, "password": passwords[username],
                                     "next": ""})  # fmt: skip
    assert page.status_code == 200, page.text
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found is not None
    return found.group(1)


def _text(page: str) -> str:
    """What a person reads: the page without its tags, attributes and scripts."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def _course_of(web: TestClient, name: str) -> str:
    today = web.get("/today").text
    found = re.search(r'href="/courses/([^"#]+)">' + re.escape(name), today)
    assert found is not None, name
    return found.group(1)


def test_the_today_page_opens_with_the_item9_answer_and_its_review_form(
    clinic: tuple[str, dict[str, str]],
) -> None:
    url, passwords = clinic
    with _client(url) as web:
        _sign_in(web, passwords, "dr.lee")
        page = web.get("/today").text
    # Priya answered PHQ-9 item 9 "several days" (MOOD_SUICIDAL_IDEATION, mon-kroenke-2001):
    # the first open alert, above the patient list, with a Review form for that alert.
    opened = page.index('id="open-alerts"')
    assert opened < page.index('id="today-table"')
    first = re.search(r'<li class="panel critical" data-alert-id="([^"]+)"', page)
    assert first is not None and first.group(1).startswith("MOOD_SUICIDAL_IDEATION:")
    assert f'name="alert_id" value="{first.group(1)}"' in page
    assert "Record the review" in page
    # The id is in attributes and hidden inputs, never in what a person reads.
    assert "MOOD_SUICIDAL_IDEATION" not in _text(page)


def test_a_designee_is_told_who_signs_instead_of_getting_forms_they_cannot_send(
    clinic: tuple[str, dict[str, str]],
) -> None:
    url, passwords = clinic
    with _client(url) as web:
        _sign_in(web, passwords, "nurse.kim")
        assert "Only a prescriber can review an alert; ask Dr Jordan Lee" in web.get("/today").text
        course = web.get(f"/courses/{_course_of(web, 'Maya Okafor')}").text
    assert "Only a prescriber can sign; ask Dr Jordan Lee" in _text(course)
    assert 'id="form-prescription"' not in course


def test_a_hold_overridden_with_a_reason_while_prescribing_is_on_the_record(
    clinic: tuple[str, dict[str, str]],
) -> None:
    url, passwords = clinic
    with _client(url) as web:
        csrf = _sign_in(web, passwords, "dr.lee")
        course_id = _course_of(web, "Maya Okafor")
        lab = {"csrf_token": csrf, "form_key": "lab_result", "date": DAY, "test": "triglycerides",
               "value": "1200", "unit": "mg/dL"}  # fmt: skip
        assert web.post(f"/courses/{course_id}/events", data=lab).status_code in (200, 303)
        page = web.get(f"/courses/{course_id}").text
        assert "Clinical safety: on clinical hold" in page
        assert 'data-state="open"' in page and 'id="holds-to-review"' in page

        with _client(url) as pharmacy:
            pharmacy_csrf = _sign_in(pharmacy, passwords, "pharmacist")
            decided = pharmacy.post("/dispense/check", data={
                "csrf_token": pharmacy_csrf, "course_id": course_id, "on": DAY})  # fmt: skip
            shown = _text(decided.text)
        # The programme is met for Maya, the triglycerides hold (hold.triglycerides.
        # pancreatitis_band): both are said, and the dispense is refused.
        assert re.search(r"Programme\s+✔ met", shown) and re.search(r"Clinical\s+‼ on hold", shown)
        assert "DO NOT DISPENSE" in shown and "AUTHORIZED" not in shown
        assert "contact the prescriber" in shown.lower()

        # 80 mg a day at 64 kg is 1.25 mg/kg/day, above the usual 1 (dosing.
        # high_dose_threshold_mg_per_kg_day): a warning to confirm before signing.
        rx = {"csrf_token": csrf, "date": DAY, "product": "claravis", "daily_dose_mg": "80",
              "days_supply": "30"}  # fmt: skip
        alert_id = re.search(r'name="review_alert_id" value="([^"]+)"', page)
        assert alert_id is not None
        unreviewed = web.post(
            f"/courses/{course_id}/prescriptions",
            data={**rx, "review_alert_id": alert_id.group(1), "review_note": ""},
        )
        assert unreviewed.status_code == 422
        assert "Give your reason to continue" in unreviewed.text
        reasoned = {**rx, "review_alert_id": alert_id.group(1),
                    "review_note": "Fasting repeat next week; fenofibrate started."}  # fmt: skip
        warned = web.post(f"/courses/{course_id}/prescriptions", data=reasoned)
        assert warned.status_code == 422 and 'id="warnings-to-confirm"' in warned.text
        assert "above the usual" in warned.text
        signed = web.post(
            f"/courses/{course_id}/prescriptions",
            data={**reasoned, "confirm_warnings": "yes"},
            follow_redirects=False,
        )
        assert signed.status_code == 303, signed.text
        after = web.get(f"/courses/{course_id}").text
    history = _text(after)
    assert 'data-state="reviewed"' in after
    assert "continue treatment (hold lifted)" in history
    assert "Fasting repeat next week; fenofibrate started." in history
    assert "Alert reviewed by the prescriber" in history
    assert "Clinical safety: active" in history


def test_a_review_without_a_reason_is_refused_next_to_the_alert(
    clinic: tuple[str, dict[str, str]],
) -> None:
    url, passwords = clinic
    with _client(url) as web:
        csrf = _sign_in(web, passwords, "dr.lee")
        course_id = _course_of(web, "Priya Nair")
        page = web.get(f"/courses/{course_id}").text
        alert_id = re.search(r'name="alert_id" value="([^"]+)"', page)
        assert alert_id is not None
        refused = web.post(f"/courses/{course_id}/alerts/review", data={
            "csrf_token": csrf, "alert_id": alert_id.group(1), "outcome": "continue",
            "note": " ", "back": "course"})  # fmt: skip
    assert refused.status_code == 422
    assert "Write why" in refused.text


def test_the_patient_with_an_item9_answer_sees_crisis_lines_first_and_no_myths(
    clinic: tuple[str, dict[str, str]],
) -> None:
    url, passwords = clinic
    with _client(url) as web:
        _sign_in(web, passwords, "priya")
        page = web.get("/me").text
    # us-ipledge-2026 is a US policy: 988 (saf-988-lifeline); the capsule step from us-plr.
    assert page.index('id="crisis-guidance"') < page.index('id="next-things"')
    text = _text(page)
    assert "Call or text 988" in text and "contact your care team today" in text.lower()
    assert "Stop taking your isotretinoin capsules" in text
    assert "Myths and facts" not in text


def test_a_pregnancy_opens_the_exposure_record_and_its_printable_report(
    clinic: tuple[str, dict[str, str]],
) -> None:
    url, passwords = clinic
    with _client(url) as web:
        csrf = _sign_in(web, passwords, "dr.patel")
        course_id = _course_of(web, "Elena Rossi")
        reported = web.post(f"/courses/{course_id}/events", data={
            "csrf_token": csrf, "form_key": "pregnancy_reported", "date": DAY,
            "last_menstrual_period": (TODAY - dt.timedelta(days=42)).isoformat()})  # fmt: skip
        assert reported.status_code in (200, 303), reported.text
        page = web.get(f"/courses/{course_id}").text
        report = web.get(f"/courses/{course_id}/pregnancy-exposure").text
    assert 'id="pregnancy-exposure"' in page and "stopped: pregnancy" in page
    assert 'id="course-stopped"' in page and 'id="form-prescription"' not in page
    text = _text(report)
    # eu-ppp-2018: the marketing authorisation holder is told (decision 22); the last dose is
    # the day the pregnancy became known, 42 days after the last period began.
    assert "Pregnancy exposure report" in text and "marketing authorisation holder" in text
    assert "Elena Rossi" in text and "6 weeks" in text
