"""The course's biology on the pages, over HTTP without a browser: the prescriber's response
section, assessment form, chart and drug levels; the patient's self-report and the plain-words
explanation of the month of contraception after the last capsule (decisions 16 and 17)."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from isotrack.server import create_app
from isotrack.service.operations import load_demo_clinic
from isotrack.service.settings import Settings
from isotrack.store.database import open_database, upgrade_schema

os.environ.setdefault("ISOTRACK_PASSWORD_HASH_PROFILE", "CHEAPEST")
TODAY = dt.date(2026, 10, 15)
# What a person must never read on these sections: internal ids, field names, library text.
INTERNAL = ("assessed_by", "lesion_total", "iga_0_1", "nodules_cysts", "Traceback",
            "validation error", "model_state", "None", "demo-02")  # fmt: skip


@dataclass(frozen=True)
class Demo:
    url: str
    passwords: dict[str, str]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    url = f"sqlite:///{tmp_path_factory.mktemp('bio') / 'isotrack.sqlite'}"
    database = open_database(url)
    upgrade_schema(database)
    database.dispose()
    loaded = load_demo_clinic(url, today=TODAY)
    assert loaded is not None
    yield Demo(url, loaded.passwords)


def client(demo: Demo) -> TestClient:
    settings = Settings(database_url=demo.url, secret_key="k" * 32)
    return TestClient(create_app(settings, today=lambda: TODAY))


def signed_in(web: TestClient, demo: Demo, username: str) -> str:
    page = web.post(
        "/signin", data={"username": username, "password": demo.passwords[username], "next": ""}
    )
    assert page.status_code == 200, page.text
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found is not None
    return found.group(1)


def maya_course(web: TestClient) -> str:
    courses = web.get("/api/v1/patients/demo-02").json()["courses"]
    return str(courses[-1]["id"])


def section(html: str, section_id: str) -> str:
    found = re.search(rf'<section id="{section_id}".*?</section>', html, re.S)
    assert found is not None, f"no section {section_id}"
    return found.group(0)


def visible_text(html: str) -> str:
    without_markup = re.sub(r"<(title|desc)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", without_markup)
