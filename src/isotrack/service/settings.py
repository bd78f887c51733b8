"""The service's settings in one typed object, read from the environment."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from isotrack.store.database import database_url_from_env

SECRET_KEY_FILE = Path("var/secret_key")


class Settings(BaseModel):
    """Everything an operator may tune. Security limits here are not clinical numbers."""

    model_config = ConfigDict(frozen=True)

    database_url: str
    # For signing anything a page hands to the browser (the web pages use it); sessions and
    # tokens themselves are random and stored only as hashes.
    secret_key: str = Field(min_length=16, repr=False)
    session_lifetime_seconds: int = Field(default=8 * 3600, ge=60)
    token_lifetime_seconds: int = Field(default=24 * 3600, ge=60)
    cookie_name: str = "isotrack_session"
    cookie_secure: bool = False  # set true behind HTTPS
    cookie_samesite: Literal["lax", "strict"] = "lax"
    login_max_failures: int = Field(default=5, ge=1)
    login_window_seconds: int = Field(default=15 * 60, ge=1)
    # The first wait once the free failures are spent; each further failure doubles it.
    login_first_delay_seconds: int = Field(default=1, ge=1)
    # Files the service keeps beside the store (audit runs and their pseudonym key).
    data_dir: Path = Path("var")
    # ``serve --access-log``: one line per request (method, route template, status, duration).
    access_log: bool = False
    # The address clients call (behind a proxy, not the one uvicorn sees): CDS Hooks JWTs must
    # name the exact URL called as their audience, and cards link to course pages under it.
    public_url: str | None = None
    # A SMART app launch address for cards' "open in the EHR" links; none: no such link.
    smart_launch_url: str | None = None
    # Patients' calendar subscription links stop working this many days after they are made.
    calendar_link_lifetime_days: int = Field(default=180, ge=1, le=3660)
    # Reminders (e-mail and calendar alarms) this many days before a test, visit or pick-up.
    reminder_days_before: int = Field(default=2, ge=0, le=30)
    # Where reminder e-mails go out; no host: no e-mail is sent (calendar alarms still work).
    smtp_host: str | None = None
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_from: str = "isotrack@localhost"
    smtp_security: Literal["none", "starttls", "tls"] = "none"
    smtp_username: str | None = None
    smtp_password: str | None = Field(default=None, repr=False)
    # CDS Hooks: how long a call with missing prefetch waits for the EHR's FHIR server (all
    # fetches together) before answering with what it could not check.
    cds_fetch_budget_seconds: float = Field(default=0.25, gt=0, le=30)

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Settings from ``ISOTRACK_*`` variables; ``overrides`` win over the environment."""
        env = os.environ
        values: dict[str, object] = {
            "database_url": database_url_from_env(),
            "secret_key": env.get("ISOTRACK_SECRET_KEY") or _local_secret_key(),
        }
        for name, key in (
            ("session_lifetime_seconds", "ISOTRACK_SESSION_LIFETIME_SECONDS"),
            ("token_lifetime_seconds", "ISOTRACK_TOKEN_LIFETIME_SECONDS"),
            ("login_max_failures", "ISOTRACK_LOGIN_MAX_FAILURES"),
            ("login_window_seconds", "ISOTRACK_LOGIN_WINDOW_SECONDS"),
            ("login_first_delay_seconds", "ISOTRACK_LOGIN_FIRST_DELAY_SECONDS"),
            ("cookie_samesite", "ISOTRACK_COOKIE_SAMESITE"),
            ("data_dir", "ISOTRACK_DATA_DIR"),
            ("public_url", "ISOTRACK_PUBLIC_URL"),
            ("smart_launch_url", "ISOTRACK_SMART_LAUNCH_URL"),
            ("calendar_link_lifetime_days", "ISOTRACK_CALENDAR_LINK_LIFETIME_DAYS"),
            ("reminder_days_before", "ISOTRACK_REMINDER_DAYS_BEFORE"),
            ("smtp_host", "ISOTRACK_SMTP_HOST"),
            ("smtp_port", "ISOTRACK_SMTP_PORT"),
            ("smtp_from", "ISOTRACK_SMTP_FROM"),
            ("smtp_security", "ISOTRACK_SMTP_SECURITY"),
            ("smtp_username", "ISOTRACK_SMTP_USERNAME"),
            ("smtp_password", "ISOTRACK_SMTP_PASSWORD"),
            ("cds_fetch_budget_seconds", "ISOTRACK_CDS_FETCH_BUDGET_SECONDS"),
        ):
            if env.get(key):
                values[name] = env[key]
        if env.get("ISOTRACK_COOKIE_SECURE"):
            values["cookie_secure"] = env["ISOTRACK_COOKIE_SECURE"].lower() in ("1", "true", "yes")
        if env.get("ISOTRACK_ACCESS_LOG"):
            values["access_log"] = env["ISOTRACK_ACCESS_LOG"].lower() in ("1", "true", "yes")
        values.update(overrides)
        return cls.model_validate(values)


def _local_secret_key() -> str:
    """A key kept in ``./var/secret_key`` so every worker process shares it across restarts."""
    if SECRET_KEY_FILE.exists():
        return SECRET_KEY_FILE.read_text(encoding="ascii").strip()
    SECRET_KEY_FILE.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(32)
    try:
        # O_EXCL: when two workers start together, the second reads the first one's key.
        fd = os.open(SECRET_KEY_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return SECRET_KEY_FILE.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key)
    return key
