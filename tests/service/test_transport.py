"""Issue 16, headers and logs: what every answer carries, Secure cookies off loopback, the
offline API docs, the pharmacist page's decision always for today, and a request log that
names routes, never patients."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from service_clinic import PASSWORD, TODAY, Clinic

from isotrack.server import create_app
from isotrack.service.settings import Settings

TEMPLATES = Path(__file__).parents[2] / "src" / "isotrack" / "web" / "templates"


def _browser_sign_in(web: TestClient, username: str) -> str:
    page = web.post("/signin", data={"username": username, "password": PASSWORD, "next": ""})
    assert page.status_code == 200, page.text
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found is not None
    return found.group(1)


def test_pages_and_api_answers_carry_the_security_headers_and_no_store(
    client: TestClient, clinic: Clinic
) -> None:
    page = client.get("/signin")
    api = client.get("/api/v1/me", headers=clinic.auth("dr.lee"))
    error = client.get("/api/v1/courses/nothing", headers=clinic.auth("dr.lee"))
    for answer in (page, api, error):
        policy = answer.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy
        assert "unsafe-inline" not in policy
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["referrer-policy"] == "no-referrer"
        assert answer.headers["cache-control"] == "no-store"
        # Plain HTTP inside the process: no HSTS (it would be ignored and confuse).
        assert "strict-transport-security" not in answer.headers
    assert client.get("/static/isotrack.css").headers.get("cache-control") != "no-store"


def test_over_https_every_cookie_is_secure_and_hsts_is_sent(
    settings: Settings, clinic: Clinic
) -> None:
    assert settings.cookie_secure is False  # the operator forgot it
    app = create_app(settings, today=lambda: TODAY)
    with TestClient(app, base_url="https://isotrack.example.org") as web:
        login = web.post("/api/v1/auth/login", json={"username": "maya", "password": PASSWORD})
        assert login.status_code == 200
        assert "; secure" in login.headers["set-cookie"].lower()
        assert login.headers["strict-transport-security"].startswith("max-age=")
        page = web.post("/signin", data={"username": "dr.lee", "password": PASSWORD, "next": ""})
        assert all("secure" in c.lower() for c in page.history[0].headers.get_list("set-cookie"))


def test_no_template_holds_an_inline_script_or_style() -> None:
    # The policy allows scripts and styles from files only: any inline one would not run.
    inline = re.compile(r"<script(?![^>]*\bsrc=)|<style|\sstyle=|\son[a-z]+=", re.IGNORECASE)
    offenders = [
        f"{path.name}: {match.group()}"
        for path in sorted(TEMPLATES.glob("**/*.html"))
        for match in inline.finditer(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_api_docs_load_their_assets_from_the_service_itself(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(s.startswith("/docs/") for s in sources)  # no CDN
    assert "<script>" not in page.text
    for source in sources:
        asset = client.get(source)
        assert asset.status_code == 200 and len(asset.content) > 100, source


def test_the_pharmacist_page_decides_for_today_whatever_date_is_posted(
    client: TestClient, clinic: Clinic
) -> None:
    # Issue 16: a check "as of" a day before the first fill authorized a second fill.
    csrf = _browser_sign_in(client, "pharmacist")
    checked = client.post(
        "/dispense/check",
        data={
            "csrf_token": csrf,
            "course_id": clinic.courses["demo-02"].id,
            "prescription_id": "",
            "on": "2020-01-01",
        },
    )
    assert checked.status_code == 200
    code = checked.url.path.rsplit("/", 1)[-1]
    record = client.get(f"/api/v1/dispense-decisions/{code}", headers=clinic.auth("pharmacist"))
    assert record.json()["decided_on"] == TODAY.isoformat()
    search = client.get("/dispense", params={"q": "demo-02"})
    assert 'name="on"' not in search.text


def test_a_throttled_browser_sign_in_says_when_to_try_again(
    client: TestClient, clinic: Clinic
) -> None:
    for _ in range(5):
        client.post("/signin", data={"username": "nurse.kim", "password": "wrong", "next": ""})
    page = client.post("/signin", data={"username": "nurse.kim", "password": PASSWORD, "next": ""})
    assert page.status_code == 429 and int(page.headers["Retry-After"]) >= 1
    assert "Please wait" in page.text and "right password will work" in page.text


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture
def logged_client(settings: Settings, clinic: Clinic) -> Iterator[tuple[TestClient, _Lines]]:
    handler = _Lines()
    logger = logging.getLogger("isotrack.access")
    logger.addHandler(handler)
    try:
        app = create_app(settings.model_copy(update={"access_log": True}), today=lambda: TODAY)
        with TestClient(app) as web:
            yield web, handler
    finally:
        logger.removeHandler(handler)


def test_the_request_log_names_route_templates_never_patients(
    logged_client: tuple[TestClient, _Lines], clinic: Clinic
) -> None:
    web, log = logged_client
    course = clinic.courses["demo-02"]
    web.get(f"/api/v1/courses/{course.id}", headers=clinic.auth("dr.lee"))
    web.get("/api/v1/pharmacy/prescriptions", params={"patient_id": "demo-02"},
            headers=clinic.auth("pharmacist"))  # fmt: skip
    web.get("/dispense", params={"q": "Maya Example"})
    assert any(
        re.fullmatch(r"GET /api/v1/courses/\{course_id\} 200 \d+\.\dms", line) for line in log.lines
    ), log.lines
    assert any(line.startswith("GET /api/v1/pharmacy/prescriptions 200 ") for line in log.lines)
    text = "\n".join(log.lines)
    for secret in (course.id, "demo-02", "Maya", "patient_id="):
        assert secret not in text


def test_the_openapi_document_names_event_bodies_errors_and_the_bearer_scheme(
    client: TestClient,
) -> None:
    document = client.get("/openapi.json").json()
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    append = document["paths"]["/api/v1/courses/{course_id}/events"]["post"]
    body = append["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/Event"}
    kinds = document["components"]["schemas"]["Event"]["discriminator"]["mapping"]
    assert {"weight", "prescription", "dispense", "lab_result", "void"} <= set(kinds)
    for operations in document["paths"].values():
        for operation in operations.values():
            for status in ("400", "401", "403", "404", "422"):
                content = operation["responses"][status]["content"]
                assert "application/problem+json" in content


def test_a_user_sees_their_sessions_ends_one_and_changes_their_password_on_a_page(
    client: TestClient, clinic: Clinic
) -> None:
    csrf = _browser_sign_in(client, "dr.patel")
    page = client.get("/account/security")
    assert page.status_code == 200 and "in use now" in page.text
    other = re.search(r'name="session" value="([0-9a-f]{64})"', page.text)
    assert other is not None  # the bearer token the clinic fixture issued
    ended = client.post("/account/sessions/end", data={"csrf_token": csrf, "session": other[1]})
    assert ended.status_code == 200 and "That session has ended" in ended.text
    assert client.get("/api/v1/me", headers=clinic.auth("dr.patel")).status_code == 401
    wrong = client.post(
        "/account/password",
        data={"csrf_token": csrf, "current_password": "nope", "new_password": "long enough now"},
    )
    assert wrong.status_code == 422 and "Current password" in wrong.text
    changed = client.post(
        "/account/password",
        data={"csrf_token": csrf, "current_password": PASSWORD, "new_password": "long enough now"},
    )
    assert changed.status_code == 200 and "Your password is changed" in changed.text
