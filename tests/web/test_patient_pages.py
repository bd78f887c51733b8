"""The patient's own pages over HTTP: the next three things in plain words and in the
patient's language, the monthly questions and contraception where the programme has the
patient enter them, and calendar links that expire, can be stopped and die with the account
(issue 16). The demo clinic on 15 October 2026: Priya (iPLEDGE 2026, can get pregnant) is
between monthly cycles; Jonas cannot get pregnant."""

from __future__ import annotations

import datetime as dt
import os
import re

import pytest
from demo_store import Demo, demo_store, page_client, sign_in
from fastapi.testclient import TestClient
from icalendar import Calendar

from isotrack.store.database import open_database
from isotrack.store.patient_preferences import token_sha256
from isotrack.store.users import set_user_active, user_by_username

os.environ.setdefault("ISOTRACK_PASSWORD_HASH_PROFILE", "CHEAPEST")
TODAY = dt.date(2026, 10, 15)
# Clinic words a patient must never read on their pages.
STAFF_WORDS = ("prescription-", "web-", "requirement", "Dispense ", "5 — death",
               "life-threatening", "demo-0", "course_start", "rule", "Traceback")  # fmt: skip


class Clock:
    def __init__(self) -> None:
        self.day = TODAY

    def __call__(self) -> dt.date:
        return self.day


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    return demo_store(tmp_path_factory.mktemp("patient"), TODAY)


def client(demo: Demo, clock: Clock | None = None) -> TestClient:
    return page_client(demo.url, clock or (lambda: TODAY))


def signed_in(web: TestClient, demo: Demo, username: str) -> str:
    return sign_in(web, username, demo.passwords[username])


def text_of(html: str, section_id: str | None = None) -> str:
    if section_id is not None:
        found = re.search(rf'<section id="{section_id}".*?</section>', html, re.S)
        assert found is not None, f"no section {section_id}"
        html = found.group(0)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_home_page_starts_with_the_next_three_things_in_plain_words(demo: Demo) -> None:
    with client(demo) as web:
        signed_in(web, demo, "priya")
        page = web.get("/me").text
    steps = re.findall(r"<li class=\"step-(\w+)", page)
    assert steps == ["questions", "test", "visit"]
    first = text_of(page, "next-things")
    assert "Answer this month's questions in the app" in first.replace("&#39;", "'")
    assert "From Tuesday, November 3, 2026 to Monday, November 9, 2026" in first
    assert "Visit your prescriber for your next prescription" in first
    assert page.index('id="next-things"') < page.index('id="my-progress"')
    assert page.index('id="my-progress"') < page.index('id="my-reports"')
    top = text_of(page, "next-things") + text_of(page, "my-progress") + text_of(page, "my-reports")
    for word in STAFF_WORDS:
        assert word not in top, word
    assert '<html lang="en">' in page


def test_a_spanish_browser_gets_the_page_in_spanish_with_its_translator_named(demo: Demo) -> None:
    with client(demo) as web:
        signed_in(web, demo, "priya")
        page = web.get("/me", headers={"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"}).text
    assert '<html lang="es">' in page
    first = text_of(page, "next-things")
    assert "Responda las preguntas de este mes en la aplicación" in first
    assert "Del martes, 3 de noviembre de 2026 al lunes, 9 de noviembre de 2026" in first
    assert "Consulta con su médico para su próxima receta" in first
    assert "Efecto secundario" in text_of(page, "my-reports")
    assert "Leve: puedo hacer mis cosas de siempre" in page
    translator = re.search(r'<p id="translator-note">([^<]+)</p>', page)
    assert translator is not None
    assert "isotrack contributors (machine-assisted draft)" in translator.group(1)


def test_the_account_language_wins_over_the_browser(demo: Demo) -> None:
    with client(demo) as web:
        csrf = signed_in(web, demo, "jonas")
        saved = web.post("/me/settings", data={"csrf_token": csrf, "language": "ru", "email": ""})
        assert saved.status_code == 200 and "Сохранено." in saved.text
        page = web.get("/me", headers={"Accept-Language": "es"}).text
        assert '<html lang="ru">' in page
        assert "Визит к врачу за следующим рецептом" in text_of(page, "next-things")
        assert "суббота, 7 ноября 2026 г." in text_of(page, "next-things")
        web.post("/me/settings", data={"csrf_token": csrf, "language": "", "email": ""})


def test_a_bad_e_mail_address_is_refused_next_to_its_field_and_nothing_is_saved(
    demo: Demo,
) -> None:
    with client(demo) as web:
        csrf = signed_in(web, demo, "maya")
        refused = web.post("/me/settings", data={
            "csrf_token": csrf, "email": "maya at home", "language": "es",
            "email_reminders": "yes"})  # fmt: skip
        assert refused.status_code == 422
        error = re.search(
            r'<span class="field-error" id="email-error">([^<]+)</span>', refused.text
        )
        assert error is not None and "name@example.org" in error.group(1)
        assert 'value="maya at home"' not in web.get("/me/settings").text
        assert '<html lang="en">' in web.get("/me").text  # the language was not saved either


def test_the_monthly_questions_and_contraception_are_recorded_for_the_care_team(
    demo: Demo,
) -> None:
    with client(demo) as web:
        csrf = signed_in(web, demo, "priya")
        form = web.get("/me/monthly").text
        assert form.count('<fieldset id="q-') == 5 and "I still use exactly this" in form
        unanswered = web.post("/me/monthly", data={"csrf_token": csrf, "contraception": "same"})
        assert unanswered.status_code == 422 and "Please answer every question." in unanswered.text
        answers = {"comprehension.birth_defects": "0", "comprehension.two_methods": "1",
                   "comprehension.contraception_period": "1", "comprehension.blood_donation": "1",
                   "comprehension.sharing": "1"}  # the last one wrong  # fmt: skip
        done = web.post(
            "/me/monthly", data={"csrf_token": csrf, "contraception": "same", **answers}
        )
        assert done.status_code == 200
        assert "Some were not right" in done.text and "Never share your capsules" in done.text
    with client(demo) as clinic:
        signed_in(clinic, demo, "dr.lee")
        course = clinic.get("/api/v1/patients/demo-05").json()["courses"][-1]["id"]
        events = clinic.get(f"/api/v1/courses/{course}/events").json()["events"]
    mine = [e for e in events if e["recorded_by"] == "priya"]
    assert [e["type"] for e in mine[-2:]] == ["comprehension_check", "contraception"]
    assert mine[-2]["event"]["passed"] is False
    assert "comprehension.sharing" in mine[-2]["event"]["note"]
    previous = [e for e in events if e["type"] == "contraception" and e["recorded_by"] != "priya"]
    assert mine[-1]["event"]["methods"] == previous[-1]["event"]["methods"]


def test_reloading_the_monthly_result_shows_it_again_and_records_nothing_more(
    demo: Demo,
) -> None:
    # Post, redirect, get: the answers are recorded once by the post; the result is a page of
    # its own, read back from the stored check, which a reload only reads again.
    with client(demo) as web:
        csrf = signed_in(web, demo, "priya")
        answers = {"comprehension.birth_defects": "0", "comprehension.two_methods": "1",
                   "comprehension.contraception_period": "1", "comprehension.blood_donation": "1",
                   "comprehension.sharing": "0"}  # fmt: skip
        sent = web.post(
            "/me/monthly", data={"csrf_token": csrf, "contraception": "same", **answers},
            follow_redirects=False,
        )  # fmt: skip
        assert sent.status_code == 303
        assert sent.headers["location"] == "/me/monthly?sent=2026-10-15#monthly-result"
        pages = [web.get("/me/monthly?sent=2026-10-15").text for _ in range(2)]
    for page in pages:
        assert "all your answers are right" in page and 'id="monthly-form"' not in page
    with client(demo) as clinic:
        signed_in(clinic, demo, "dr.lee")
        course = clinic.get("/api/v1/patients/demo-05").json()["courses"][-1]["id"]
        events = clinic.get(f"/api/v1/courses/{course}/events").json()["events"]
    checks = [e for e in events if e["type"] == "comprehension_check" and e["recorded_by"] ==
              "priya" and e["event"]["passed"]]  # fmt: skip
    assert len(checks) == 1


def test_a_patient_the_programme_does_not_ask_is_told_and_the_service_refuses(
    demo: Demo,
) -> None:
    # Jonas cannot get pregnant: iPLEDGE's monthly questions (US-EDU-01) are not his.
    with client(demo) as web:
        signed_in(web, demo, "jonas")
        assert 'id="monthly-link"' not in web.get("/me").text
        assert 'id="not-in-app"' in web.get("/me/monthly").text
        login = {"username": "jonas", "password": demo.passwords["jonas"]}
        token = web.post("/api/v1/auth/token", json=login).json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        course = web.get("/api/v1/patients/demo-01", headers=auth).json()["courses"][-1]["id"]
        refused = web.post(
            f"/api/v1/courses/{course}/events",
            json={"id": "jonas-q", "type": "comprehension_check", "date": "2026-10-15",
                  "passed": True},
            headers=auth,
        )  # fmt: skip
    assert refused.status_code == 422
    assert "not entered by the patient" in refused.text


def _reads_by(clinic: TestClient, username: str) -> int:
    entries = clinic.get("/api/v1/patients/demo-05/access-log").json()
    return sum(1 for e in entries if e["username"] == username and e["action"] == "read")


def _calendar_link(web: TestClient, csrf: str) -> str:
    made = web.post("/me/calendar-links", data={"csrf_token": csrf})
    found = re.search(r'id="calendar-url">http://testserver([^<]+)</code>', made.text)
    assert found is not None, made.text
    return found.group(1)


def test_a_calendar_link_works_without_sign_in_in_patient_words_then_expires(
    demo: Demo,
) -> None:
    clock = Clock()
    with client(demo, clock) as web:
        csrf = signed_in(web, demo, "priya")
        address = _calendar_link(web, csrf)
    with client(demo, clock) as clinic:
        signed_in(clinic, demo, "dr.lee")
        before = _reads_by(clinic, "priya")
    with client(demo, clock) as calendar_app:  # no cookie, as a calendar program calls
        feed = calendar_app.get(address)
        assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
        events = Calendar.from_ical(feed.content).walk("VEVENT")
        summaries = {str(e.get("summary")) for e in events}
        assert "Pregnancy test before your next prescription" in summaries
        for summary in summaries:
            for word in STAFF_WORDS:
                assert word not in summary, (word, summary)
        assert all(e.get("dtend").dt > TODAY for e in events)  # nothing already past
        with client(demo, clock) as clinic:  # the read is in the accounting of disclosures
            signed_in(clinic, demo, "dr.lee")
            assert _reads_by(clinic, "priya") == before + 1
        alarms = [a for e in events for a in e.walk("VALARM")]
        assert alarms and all(a.get("trigger").dt == -dt.timedelta(days=2) for a in alarms)
        clock.day = TODAY + dt.timedelta(days=180)  # the last day it works (lifetime 180)
        assert calendar_app.get(address).status_code == 200
        clock.day = TODAY + dt.timedelta(days=181)
        assert calendar_app.get(address).status_code == 404
        assert calendar_app.get(address.replace(".ics", "x.ics")).status_code == 404


def test_a_stopped_link_and_a_deactivated_account_end_the_calendar(demo: Demo) -> None:
    with client(demo) as web:
        csrf = signed_in(web, demo, "maya")
        stopped = _calendar_link(web, csrf)
        kept = _calendar_link(web, csrf)
        listed = web.get("/me/settings").text
        hashes = re.findall(r'name="link" value="([0-9a-f]{64})"', listed)
        token = stopped.removeprefix("/calendar/").removesuffix(".ics")
        assert token_sha256(token) in hashes and len(hashes) == 2  # the page holds no token
        assert token not in listed
        web.post("/me/calendar-links/revoke", data={"csrf_token": csrf,
                                                    "link": token_sha256(token)})  # fmt: skip
        assert len(re.findall(r'name="link" value=', web.get("/me/settings").text)) == 1
    with client(demo) as calendar_app:
        assert calendar_app.get(stopped).status_code == 404
        assert calendar_app.get(kept).status_code == 200
        database = open_database(demo.url)
        with database.writing() as connection:
            maya = user_by_username(connection, "maya")
            assert maya is not None
            set_user_active(connection, maya.id, False)
        try:
            assert calendar_app.get(kept).status_code == 404
        finally:
            with database.writing() as connection:
                set_user_active(connection, maya.id, True)
            database.dispose()
