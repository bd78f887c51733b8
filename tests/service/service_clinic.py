"""Fixtures and cases for the service tests: every store/API test runs on SQLite and on PostgreSQL.

PostgreSQL comes from ``$ISOTRACK_TEST_POSTGRES_URL`` (default: the CI server at
127.0.0.1:5432, database ``test``). Each test gets a freshly created, randomly named schema
that is dropped afterwards. Without a reachable server the PostgreSQL cases are skipped,
unless ``ISOTRACK_REQUIRE_POSTGRES=1``, in which case they fail.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from isotrack.domain.timeline import Timeline
from isotrack.server import create_app
from isotrack.service.context import Service, open_service
from isotrack.service.settings import Settings
from isotrack.store.courses import CourseHeader, import_timeline
from isotrack.store.database import Database, open_database, upgrade_schema
from isotrack.store.demo_clinic import demo_patients
from isotrack.store.users import Role, SessionKind, User, create_user, issue_session

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
# A date on which every demo policy, including the 2026 iPLEDGE edition, is in force.
TODAY = dt.date(2026, 10, 15)
PASSWORD = "correct horse battery"


def _postgres_admin_url() -> str:
    return os.environ.get("ISOTRACK_TEST_POSTGRES_URL") or DEFAULT_POSTGRES_URL


def _postgres_unreachable_reason() -> str | None:
    url = _postgres_admin_url()
    try:
        engine = create_engine(url, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except OperationalError as exc:
        return f"PostgreSQL at {make_url(url).render_as_string()} unreachable: {exc.orig}"
    return None


@pytest.fixture(scope="session")
def postgres_available() -> str:
    reason = _postgres_unreachable_reason()
    if reason is not None:
        if os.environ.get("ISOTRACK_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"ISOTRACK_REQUIRE_POSTGRES=1 but {reason}")
        pytest.skip(f"{reason} (set ISOTRACK_TEST_POSTGRES_URL to run these)")
    return _postgres_admin_url()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database (no tables yet) on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'isotrack.sqlite'}"
        return
    admin_url = request.getfixturevalue("postgres_available")
    schema = f"isotrack_test_{secrets.token_hex(6)}"
    admin = create_engine(admin_url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(admin_url).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    """A migrated, empty store."""
    db = open_database(database_url)
    upgrade_schema(db)
    yield db
    db.dispose()


@functools.cache
def _demo_clinic(today: dt.date) -> dict[str, Timeline]:
    return {p.timeline.patient.id: p.timeline for p in demo_patients(today)}


def demo_timeline(patient_id: str, today: dt.date = TODAY) -> Timeline:
    """One of the demo clinic's courses (see ``isotrack.store.demo_clinic``), dated from today."""
    return _demo_clinic(today)[patient_id]


@dataclass
class Clinic:
    """Two prescribers' patients and one user of every role, each with a bearer token."""

    database: Database
    users: dict[str, User] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    courses: dict[str, CourseHeader] = field(default_factory=dict)

    def auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}


def build_clinic(database: Database) -> Clinic:
    """dr.lee cares for Maya (demo-02, can get pregnant, prescription awaiting pick-up) and
    Jonas (demo-01); dr.patel cares for Lukas (demo-09). Maya has her own patient login."""
    clinic = Clinic(database)
    with database.writing() as connection:
        specs: list[tuple[str, Role, dict[str, str]]] = [
            ("admin", Role.ADMIN, {}),
            ("dr.lee", Role.PRESCRIBER, {}),
            ("dr.patel", Role.PRESCRIBER, {}),
            ("nurse.kim", Role.DESIGNEE, {"prescriber_username": "dr.lee"}),
            ("pharmacist", Role.PHARMACIST, {}),
            ("auditor", Role.AUDITOR, {}),
        ]
        for username, role, extra in specs:
            clinic.users[username] = create_user(
                connection, username=username, password=PASSWORD, role=role, **extra
            )
        for patient_id, prescriber in (
            ("demo-02", "dr.lee"),
            ("demo-01", "dr.lee"),
            ("demo-09", "dr.patel"),
        ):
            clinic.courses[patient_id] = import_timeline(
                connection,
                demo_timeline(patient_id),
                recorded_by=prescriber,
                prescriber_user_id=clinic.users[prescriber].id,
            )
        clinic.users["maya"] = create_user(
            connection,
            username="maya",
            password=PASSWORD,
            role=Role.PATIENT,
            patient_id="demo-02",
        )
        for username, user in clinic.users.items():
            clinic.tokens[username] = issue_session(
                connection, user, SessionKind.BEARER, 3600
            ).token
    return clinic


@pytest.fixture
def clinic(database: Database) -> Clinic:
    return build_clinic(database)


@pytest.fixture
def settings(database_url: str) -> Settings:
    # A first sign-in delay no loaded runner outlasts between two attempts: with the default
    # 1 s, a throttled attempt on a slow CI machine sometimes arrived after the wait had ended.
    return Settings(
        database_url=database_url,
        secret_key="test-secret-key-0123456789",
        login_first_delay_seconds=600,
    )


@pytest.fixture
def client(settings: Settings, clinic: Clinic) -> Iterator[TestClient]:
    """The whole service in process, its calendar fixed at ``TODAY``."""
    with TestClient(create_app(settings, today=lambda: TODAY)) as test_client:
        yield test_client


@pytest.fixture
def service(settings: Settings, clinic: Clinic) -> Iterator[Service]:
    """The service layer itself, started (its writer running), its calendar fixed at ``TODAY``."""
    running = open_service(settings, today=lambda: TODAY, pool_size=4)
    running.start()
    yield running
    running.close()
