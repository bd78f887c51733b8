"""Reminder e-mails through a real SMTP server on 127.0.0.1 (aiosmtpd, started here): the
daily task sends each patient who asked what is coming up, in their language, once.

Demo clinic on 15 October 2026: Maya's pick-up window runs from today to 20 October."""

from __future__ import annotations

import datetime as dt
import os
import socket
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from isotrack.service.context import open_service
from isotrack.service.operations import load_demo_clinic
from isotrack.service.patient_self import set_my_preferences
from isotrack.service.settings import Settings
from isotrack.store.database import open_database, upgrade_schema
from isotrack.store.users import User, user_by_username
from isotrack.web.reminder_mail import send_due_reminders

os.environ.setdefault("ISOTRACK_PASSWORD_HASH_PROFILE", "CHEAPEST")
TODAY = dt.date(2026, 10, 15)


class Mailbox:
    """What the local SMTP server received."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.received.append((list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture()
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box, port = Mailbox(), _free_port()
    server = Controller(box, hostname="127.0.0.1", port=port)
    server.start()
    try:
        yield box, port
    finally:
        server.stop()


@pytest.fixture()
def clinic_url(tmp_path: Any) -> str:
    url = f"sqlite:///{tmp_path / 'isotrack.sqlite'}"
    database = open_database(url)
    upgrade_schema(database)
    database.dispose()
    assert load_demo_clinic(url, today=TODAY) is not None
    return url


def _settings(url: str, port: int) -> Settings:
    return Settings(
        database_url=url, secret_key="k" * 32, smtp_host="127.0.0.1", smtp_port=port,
        smtp_from="clinic@example.org", public_url="https://clinic.example.org",
    )  # fmt: skip


def _user(url: str, username: str) -> User:
    database = open_database(url)
    with database.reading() as connection:
        found = user_by_username(connection, username)
    database.dispose()
    assert found is not None
    return found


def test_a_reminder_e_mail_reaches_the_patient_in_her_language_once(
    clinic_url: str, mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    service = open_service(_settings(clinic_url, port), today=lambda: TODAY, pool_size=2)
    try:
        set_my_preferences(service, _user(clinic_url, "maya"), email="maya@example.org",
                           language="es", email_reminders=True)  # fmt: skip
        assert send_due_reminders(service) == 1
        assert send_due_reminders(service) == 0  # already sent: never twice
    finally:
        service.close()
    ((recipients, message),) = box.received
    assert recipients == ["maya@example.org"]
    assert message["From"] == "clinic@example.org"
    assert message["Subject"] == "Recordatorio: próximos pasos de su tratamiento con isotretinoína"
    assert message["Content-Language"] == "es"
    body = message.get_content()
    assert "Hola, Maya Okafor:" in body
    assert (
        "Recoja sus cápsulas en la farmacia: Del jueves, 15 de octubre de 2026 al martes, "
        "20 de octubre de 2026" in body
    )
    assert "https://clinic.example.org/me" in body
    assert "isotrack contributors (machine-assisted draft)" in body
    for word in ("prescription-", "Dispense", "demo-0", "requirement"):
        assert word not in body


def test_a_patient_who_did_not_ask_gets_nothing_and_a_failed_send_is_tried_again(
    clinic_url: str, mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    closed = _free_port()  # nothing listens there: the SMTP server is "down"
    down = open_service(_settings(clinic_url, closed), today=lambda: TODAY, pool_size=2)
    try:
        set_my_preferences(down, _user(clinic_url, "maya"), email="maya@example.org",
                           language="", email_reminders=True)  # fmt: skip
        set_my_preferences(down, _user(clinic_url, "priya"), email="priya@example.org",
                           language="", email_reminders=False)  # fmt: skip
        assert send_due_reminders(down) == 0
    finally:
        down.close()
    up = open_service(_settings(clinic_url, port), today=lambda: TODAY, pool_size=2)
    try:
        assert send_due_reminders(up) == 1
    finally:
        up.close()
    assert [recipients for recipients, _ in box.received] == [["maya@example.org"]]
    assert box.received[0][1]["Subject"] == "Reminder: coming up in your isotretinoin treatment"


def test_the_reminder_comes_the_configured_number_of_days_before(
    clinic_url: str, mailbox: tuple[Mailbox, int]
) -> None:
    # Priya's next test and questions open on 3 November; with 2 days' notice the e-mail
    # goes on 1 November, not on 31 October.
    box, port = mailbox
    day = {"today": dt.date(2026, 10, 31)}
    service = open_service(_settings(clinic_url, port), today=lambda: day["today"], pool_size=2)
    try:
        set_my_preferences(service, _user(clinic_url, "priya"), email="priya@example.org",
                           language="ru", email_reminders=True)  # fmt: skip
        assert send_due_reminders(service) == 0
        day["today"] = dt.date(2026, 11, 1)
        assert send_due_reminders(service) == 1
    finally:
        service.close()
    body = box.received[0][1].get_content()
    assert "Тест на беременность перед следующим рецептом" in body
    assert "Ответьте на вопросы этого месяца в приложении" in body
