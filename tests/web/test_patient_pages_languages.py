"""Every patient page, e-mail and calendar in Spanish and in Russian, with no English left
(issue 17: patient-facing pages, e-mails and the calendar in English, Spanish and Russian).

Demo clinic on 15 October 2026: Priya (iPLEDGE, can get pregnant) answered PHQ-9 item 9 and
sees the crisis guidance; Maya (can get pregnant) sees her myths and the washout chart; Jonas
cannot get pregnant. Each reads her pages in Spanish, then in Russian: the home page, a report
form refused, the skin self-report refused, the monthly questions and their result, the
settings, the calendar and a reminder e-mail. Only the sources (cited as they are) and the
PHQ-9 (a validated questionnaire, decision 42) stay English, marked ``lang="en"``.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator

import pytest
from demo_store import Demo, demo_store
from english_left import english_left, read_text
from fastapi.testclient import TestClient
from icalendar import Calendar

from isotrack.server import create_app
from isotrack.service.settings import Settings
from isotrack.web.i18n import speaker
from isotrack.web.patient_calendar import reminder_message
from isotrack.web.patient_words import PATIENT_STEPS, PatientStep

os.environ.setdefault("ISOTRACK_PASSWORD_HASH_PROFILE", "CHEAPEST")
TODAY = dt.date(2026, 10, 15)
NAMES = frozenset({"Priya", "Nair", "Maya", "Okafor", "Jonas", "Berger"})
PATIENTS = ("priya", "maya", "jonas")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    return demo_store(tmp_path_factory.mktemp("languages"), TODAY)


@pytest.fixture
def web(demo: Demo) -> Iterator[TestClient]:
    settings = Settings(database_url=demo.url, secret_key="k" * 32)
    with TestClient(create_app(settings, today=lambda: TODAY)) as client:
        yield client


def signed_in(web: TestClient, demo: Demo, username: str) -> str:
    page = web.post(
        "/signin", data={"username": username, "password": demo.passwords[username], "next": ""}
    )
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found is not None
    return found.group(1)


def no_english(html: str, language: str) -> list[str]:
    assert f'<html lang="{language}">' in html
    return english_left(read_text(html), language, NAMES)


def test_the_detector_finds_english_in_either_language() -> None:
    # The check below could pass by seeing nothing: it must see a sentence left in English.
    page = '<html lang="ru"><p>Ваша команда. Choose one of the answers.</p></html>'
    assert english_left(read_text(page), "ru") == ["Choose", "answers", "of", "one", "the"]
    page = '<p>Elija una. Please choose one of the answers.</p><p lang="en">The PHQ-9</p>'
    assert english_left(read_text(page), "es") == ["Please", "choose", "of", "the"]


@pytest.mark.parametrize("language", ["es", "ru"])
@pytest.mark.parametrize("username", PATIENTS)
def test_every_patient_page_is_in_the_patient_s_language(
    demo: Demo, web: TestClient, username: str, language: str
) -> None:
    csrf = signed_in(web, demo, username)
    asks = {"Accept-Language": language}
    pages = {path: web.get(path, headers=asks).text for path in ("/me", "/me/settings")}
    pages["/me/monthly"] = web.get("/me/monthly", headers=asks).text
    typed = {"form_key": "dose_missed", "date": "yesterday", "days": "two"}
    refused = web.post("/me/events", headers=asks, data={"csrf_token": csrf, **typed})
    assert refused.status_code == 422
    pages["report refused"] = refused.text
    mood = web.post("/me/events", headers=asks, data={
        "csrf_token": csrf, "form_key": "mood_screen", "date": "2026-10-15"})  # fmt: skip
    assert mood.status_code == 422 and mood.text.count('class="field-error"') == 9
    pages["questionnaire refused"] = mood.text
    skin = web.post("/me/acne-assessments", headers=asks, data={"csrf_token": csrf, "date": ""})
    assert skin.status_code == 422
    pages["skin report refused"] = skin.text
    for name, html in pages.items():
        assert no_english(html, language) == [], name


@pytest.mark.parametrize("language", ["es", "ru"])
def test_the_crisis_guidance_is_in_the_patient_s_language_with_the_numbers_to_call(
    demo: Demo, web: TestClient, language: str
) -> None:
    # Priya's PHQ-9 item-9 answer holds her course (US market: 988 and 911).
    signed_in(web, demo, "priya")
    page = web.get("/me", headers={"Accept-Language": language}).text
    panel = re.search(r'<section class="panel critical crisis".*?</section>', page, re.S)
    assert panel is not None
    text = read_text(panel.group(0))
    expected = {"es": ("No está solo", "Llame al 911", "988"),
                "ru": ("Вы не одни", "Позвоните 911", "988")}[language]  # fmt: skip
    for words in expected:
        assert words in text
    assert 'id="my-myths"' not in page  # no myth while the crisis guidance is shown
    assert no_english(page, language) == []


@pytest.mark.parametrize("language", ["es", "ru"])
def test_the_myths_and_the_washout_chart_are_translated_and_keep_their_sources(
    demo: Demo, web: TestClient, language: str
) -> None:
    signed_in(web, demo, "maya")
    page = web.get("/me", headers={"Accept-Language": language}).text
    myths = re.search(r'<section id="my-myths".*?</section>', page, re.S)
    assert myths is not None
    assert myths.group(0).count('<article class="panel">') > 5
    assert myths.group(0).count('<span lang="en">') == myths.group(0).count("<article")
    chart = re.search(r'<svg[^>]*id="washout-chart".*?</svg>', page, re.S)
    assert chart is not None
    legend = {"es": "4-oxo-isotretinoína", "ru": "4-оксо-изотретиноин"}[language]
    assert legend in chart.group(0)
    assert no_english(page, language) == []


@pytest.mark.parametrize("language", ["es", "ru"])
def test_the_monthly_result_page_is_in_the_patient_s_language(
    demo: Demo, web: TestClient, language: str
) -> None:
    csrf = signed_in(web, demo, "priya")
    answers = {"comprehension.birth_defects": "0", "comprehension.two_methods": "1",
               "comprehension.contraception_period": "1", "comprehension.blood_donation": "0",
               "comprehension.sharing": "1"}  # fmt: skip
    done = web.post("/me/monthly", headers={"Accept-Language": language},
                    data={"csrf_token": csrf, "contraception": "same", **answers})  # fmt: skip
    assert 'id="monthly-result"' in done.text
    assert no_english(done.text, language) == []


@pytest.mark.parametrize("language", ["es", "ru"])
@pytest.mark.parametrize("username", PATIENTS)
def test_the_calendar_says_each_step_in_the_patient_s_language(
    demo: Demo, web: TestClient, username: str, language: str
) -> None:
    signed_in(web, demo, username)
    calendar = Calendar.from_ical(
        web.get("/me/calendar.ics", headers={"Accept-Language": language}).content
    )
    said = [str(calendar.get("X-WR-CALNAME"))]
    for event in calendar.walk("VEVENT"):
        said += [str(event.get("SUMMARY")), str(event.get("DESCRIPTION"))]
    assert len(said) > 1
    assert english_left(" ".join(said), language) == []


@pytest.mark.parametrize("language", ["es", "ru"])
def test_a_reminder_e_mail_with_every_kind_of_step_is_in_the_patient_s_language(
    language: str,
) -> None:
    day = dt.date(2026, 11, 3)
    steps = [PatientStep(requirement_id, kind, message, day, day + dt.timedelta(days=6))
             for requirement_id, (kind, message) in PATIENT_STEPS.items()]  # fmt: skip
    mail = reminder_message(
        to="maya@example.org", name="Maya", steps=steps, words=speaker(language), today=TODAY,
        link="https://clinic/me",
    )  # fmt: skip
    body = str(mail["Subject"]) + " " + mail.get_content()
    assert english_left(body.replace("https://clinic/me", ""), language, NAMES) == []


def test_a_refused_report_tells_the_patient_what_to_write_in_her_language(
    demo: Demo, web: TestClient
) -> None:
    # Maya types 4000 missed days and a 200-letter side effect: the event contract allows at
    # most 366 days and 120 letters. She reads each limit in Spanish, next to its field,
    # without the contract's English and without her text quoted back.
    csrf = signed_in(web, demo, "maya")
    asks = {"Accept-Language": "es"}
    typed = {"form_key": "dose_missed", "date": "2026-10-10", "days": "4000"}
    days = web.post("/me/events", headers=asks, data={"csrf_token": csrf, **typed})
    found = re.search(r'id="form-dose-missed-days-error">([^<]+)<', days.text)
    assert found is not None and "Escriba un número que no sea mayor que 366." in found.group(1)
    effect = web.post("/me/events", headers=asks, data={
        "csrf_token": csrf, "form_key": "adverse_event", "date": "2026-10-10",
        "term": "x" * 200, "severity": "2"})  # fmt: skip
    found = re.search(r'id="form-adverse-event-term-error">([^<]+)<', effect.text)
    assert found is not None and "Escriba como máximo 120 caracteres." in found.group(1)
    for page in (days.text, effect.text):
        assert "allowed" not in page and "String should" not in page
