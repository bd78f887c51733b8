"""The patient's pages in a real browser (Debian's Chromium, driven by Playwright), on a
390 px phone: Priya's browser asks for Spanish, so her page, her monthly questions and her
calendar settings come in Spanish, fit the screen without sideways scrolling, and her answers
reach the care team. Screenshots go to docs/screenshots/.

Demo clinic on 15 October 2026 (the live server's clock is set to that day)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect
from web_live_server import LiveServer, live_server

from isotrack.service.context import open_service
from isotrack.service.enrolment import NewPatient, enrol_patient
from isotrack.service.operations import load_demo_clinic
from isotrack.service.settings import Settings
from isotrack.store.users import user_by_username

pytestmark = pytest.mark.browser
os.environ.setdefault("ISOTRACK_PASSWORD_HASH_PROFILE", "CHEAPEST")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
TODAY = dt.date(2026, 10, 15)
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, dict[str, str]]]:
    with live_server(tmp_path_factory.mktemp("patient-browser"), {}) as running:
        loaded = load_demo_clinic(running.database_url, today=TODAY)
        assert loaded is not None
        running.clock.day = TODAY
        yield running, loaded.passwords


def sign_in(page: Page, server: LiveServer, username: str, password: str) -> None:
    page.goto(f"{server.base_url}/signin")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def fits_the_screen(page: Page) -> bool:
    """Nothing wider than the window: no sideways scrolling."""
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_a_spanish_speaking_patient_uses_her_page_on_a_phone(
    demo: tuple[LiveServer, dict[str, str]], browser: Browser
) -> None:
    server, passwords = demo
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    phone = browser.new_context(viewport=PHONE, locale="es-ES").new_page()
    sign_in(phone, server, "priya", passwords["priya"])
    phone.goto(f"{server.base_url}/me")
    expect(phone.locator("html")).to_have_attribute("lang", "es")
    steps = phone.locator("#next-steps > li")
    expect(steps).to_have_count(3)
    expect(steps.nth(0)).to_contain_text("Responda las preguntas de este mes en la aplicación")
    expect(steps.nth(0)).to_contain_text("Del martes, 3 de noviembre de 2026")
    expect(phone.locator("#translator-note")).to_contain_text(
        "isotrack contributors (machine-assisted draft)"
    )
    assert fits_the_screen(phone)
    phone.locator("#next-things").screenshot(path=str(SCREENSHOTS / "patient-home-es-390.png"))
    phone.screenshot(path=str(SCREENSHOTS / "patient-page-es-390.png"), full_page=True)

    phone.get_by_role(
        "link", name="Responda las preguntas de este mes y confirme su anticoncepción"
    ).click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Las preguntas de este mes")
    assert fits_the_screen(phone)
    phone.get_by_label("Sí: puede causar malformaciones graves, a cualquier dosis").check()
    phone.get_by_label("Dos, usados a la vez").check()
    phone.get_by_label("Desde antes de la primera cápsula hasta después de la última").check()
    phone.get_by_label("No, ni durante el tratamiento").check()
    phone.get_by_label("No, nunca").check()
    phone.get_by_label("Sigo usando exactamente esto").check()
    phone.screenshot(path=str(SCREENSHOTS / "patient-monthly-es-390.png"), full_page=True)
    phone.get_by_role("button", name="Enviar a mi equipo médico").click()
    expect(phone.locator("#monthly-result")).to_contain_text("todas sus respuestas son correctas")

    phone.goto(f"{server.base_url}/me/settings")
    phone.get_by_role("button", name="Crear un nuevo enlace de calendario").click()
    expect(phone.locator("#calendar-url")).to_contain_text("/calendar/")
    expect(phone.locator("#calendar-links > li")).to_have_count(1)
    assert fits_the_screen(phone)
    phone.screenshot(path=str(SCREENSHOTS / "patient-settings-es-390.png"), full_page=True)

    # The care team sees that she answered in the app (the prescriber's pages are in English).
    doctor = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()
    sign_in(doctor, server, "dr.lee", passwords["dr.lee"])
    doctor.get_by_role("link", name="Priya Nair").first.click()
    expect(doctor.locator("body")).to_contain_text("Answered by the patient in the app.")


def test_the_english_page_fits_a_phone_and_a_desktop(
    demo: tuple[LiveServer, dict[str, str]], browser: Browser
) -> None:
    server, passwords = demo
    for name, viewport in (("390", PHONE), ("desktop", {"width": 1200, "height": 900})):
        page = browser.new_context(viewport=viewport, locale="en-GB").new_page()
        sign_in(page, server, "maya", passwords["maya"])
        page.goto(f"{server.base_url}/me")
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.locator("#next-steps > li").first).to_contain_text(
            "Pick up your capsules at the pharmacy"
        )
        assert fits_the_screen(page)
        page.screenshot(path=str(SCREENSHOTS / f"patient-home-{name}.png"))


def test_a_patient_with_a_200_letter_name_still_reads_the_page_without_sideways_scrolling(
    demo: tuple[LiveServer, dict[str, str]], browser: Browser
) -> None:
    # One unbroken "word" as long as a name may be (200 characters): it wraps, in the header
    # and on the page, instead of widening them.
    server, _ = demo
    service = open_service(
        Settings(database_url=server.database_url, secret_key="k" * 32), today=lambda: TODAY,
        pool_size=2,
    )  # fmt: skip
    try:
        with service.database.reading() as connection:
            doctor = user_by_username(connection, "dr.lee")
        assert doctor is not None
        enrolled = enrol_patient(
            service, doctor,
            NewPatient(display_name="W" * 200, birth_date=dt.date(2001, 5, 5),
                       sex_at_birth="female", can_get_pregnant=True, policy="eu-ppp-2018"),
            enrolled_on=TODAY, create_sign_in=True,
        )  # fmt: skip
    finally:
        service.close()
    assert enrolled.username is not None and enrolled.password is not None
    phone = browser.new_context(viewport=PHONE, locale="ru-RU").new_page()
    sign_in(phone, server, enrolled.username, enrolled.password)
    phone.goto(f"{server.base_url}/me")
    expect(phone.locator("html")).to_have_attribute("lang", "ru")
    expect(phone.locator("h1")).to_contain_text("Здравствуйте")
    assert fits_the_screen(phone)
    phone.screenshot(path=str(SCREENSHOTS / "patient-long-name-ru-390.png"), full_page=False)


def comprehension_checks_of(server: LiveServer, passwords: dict[str, str], who: str) -> int:
    """How many comprehension checks the care team sees from ``who`` (through the API)."""
    with httpx.Client(base_url=server.base_url) as api:
        login = {"username": "dr.lee", "password": passwords["dr.lee"]}
        token = api.post("/api/v1/auth/token", json=login).json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        course = api.get("/api/v1/patients/demo-05", headers=auth).json()["courses"][-1]["id"]
        events = api.get(f"/api/v1/courses/{course}/events", headers=auth).json()["events"]
    return sum(1 for e in events if e["type"] == "comprehension_check" and e["recorded_by"] == who)


def test_reloading_the_monthly_result_records_the_answers_only_once(
    demo: tuple[LiveServer, dict[str, str]], browser: Browser
) -> None:
    # Priya reads in Russian on her phone. She sends this month's answers, then reloads the
    # result: the page shows it again, and the care team has one check from her, not two.
    server, passwords = demo
    before = comprehension_checks_of(server, passwords, "priya")
    phone = browser.new_context(viewport=PHONE, locale="ru-RU").new_page()
    sign_in(phone, server, "priya", passwords["priya"])
    phone.goto(f"{server.base_url}/me/monthly")
    for question in phone.locator("#monthly-form fieldset[id^='q-']").all():
        question.locator("input[type=radio]").first.check()
    phone.locator("input[name=contraception][value=same]").check()
    phone.get_by_role("button", name="Отправить лечащей команде").click()
    expect(phone.locator("#monthly-result")).to_be_visible()
    assert "sent=" in phone.url
    assert comprehension_checks_of(server, passwords, "priya") == before + 1
    phone.reload()
    expect(phone.locator("#monthly-result")).to_be_visible()
    expect(phone.locator("html")).to_have_attribute("lang", "ru")
    assert comprehension_checks_of(server, passwords, "priya") == before + 1
    assert fits_the_screen(phone)


def test_the_crisis_guidance_in_spanish_and_the_myths_in_russian_on_a_phone(
    demo: tuple[LiveServer, dict[str, str]], browser: Browser
) -> None:
    # Priya's PHQ-9 item-9 answer holds her course: her page opens with the guidance and the
    # numbers to call, in Spanish. Maya reads her myths and the washout chart in Russian.
    server, passwords = demo
    spanish = browser.new_context(viewport=PHONE, locale="es-ES").new_page()
    sign_in(spanish, server, "priya", passwords["priya"])
    spanish.goto(f"{server.base_url}/me")
    crisis = spanish.locator("#crisis-guidance")
    expect(crisis).to_contain_text("No está solo")
    expect(crisis.locator("#crisis-lines")).to_contain_text("Llame al 911")
    assert fits_the_screen(spanish)
    crisis.screenshot(path=str(SCREENSHOTS / "patient-crisis-es-390.png"))

    russian = browser.new_context(viewport=PHONE, locale="ru-RU").new_page()
    sign_in(russian, server, "maya", passwords["maya"])
    russian.goto(f"{server.base_url}/me")
    expect(russian.locator("#myths-heading")).to_have_text("Мифы и факты, которые касаются меня")
    expect(russian.locator("#washout-chart")).to_contain_text("4-оксо-изотретиноин")
    assert fits_the_screen(russian)
    russian.locator("#after-last-capsule").screenshot(
        path=str(SCREENSHOTS / "patient-washout-ru-390.png")
    )
    russian.locator("#myths-heading").scroll_into_view_if_needed()
    russian.screenshot(path=str(SCREENSHOTS / "patient-myths-ru-390.png"))
