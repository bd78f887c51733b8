"""``isotrack audit`` on isotrack's own store: with no options it audits the configured store
(issue 14's first done-when item), and it knows when each event was recorded (decision 37)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from isotrack.cli import app
from isotrack.domain.timeline import parse_event
from isotrack.service.context import open_service
from isotrack.service.recording import record_event
from isotrack.service.settings import Settings
from isotrack.store.courses import courses_of_patient
from isotrack.store.users import user_by_username

DEMO_COURSE_PATIENT = "demo-02"


@pytest.fixture
def demo_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    monkeypatch.setenv("ISOTRACK_DATABASE_URL", url)
    monkeypatch.setenv("ISOTRACK_PASSWORD_HASH_PROFILE", "CHEAPEST")
    monkeypatch.setenv("ISOTRACK_CHAIN_KEY_FILE", str(tmp_path / "chain-key"))
    monkeypatch.setenv("ISOTRACK_SECRET_KEY", "a test key of sixteen chars or more")
    runner = CliRunner()
    for command in (["db", "upgrade"], ["demo"]):
        done = runner.invoke(app, command)
        assert done.exit_code == 0, done.output
    yield url


def _audit_json(*options: str) -> dict[str, object]:
    result = CliRunner().invoke(app, ["audit", "--workers", "0", "--json", *options])
    assert result.exit_code == 0, result.output
    data: dict[str, object] = json.loads(result.stdout)
    return data


def test_audit_with_no_options_audits_the_demo_store_and_prints_a_summary(
    demo_store: str,
) -> None:
    result = CliRunner().invoke(app, ["audit", "--workers", "0"])
    assert result.exit_code == 0, result.output
    assert "Audited" in result.stdout and "courses" in result.stdout
    summary = _audit_json()["summary"]
    assert isinstance(summary, dict)
    assert summary["courses"] >= 5 and summary["unreadable_courses"] == 0
    # The store knows recording times: the rule is checked, not listed as not checkable.
    assert "recording.late" not in summary["not_checkable"]
    # The demo clinic was imported in one go: nothing in it counts as recorded late.
    assert "recording.late" not in summary["by_rule"]


def test_an_event_entered_a_month_after_its_date_is_recorded_late(
    demo_store: str, tmp_path: Path
) -> None:
    service = open_service(Settings.from_env(data_dir=tmp_path))
    try:
        with service.database.reading() as connection:
            doctor = user_by_username(connection, "dr.lee")
            course = courses_of_patient(connection, DEMO_COURSE_PATIENT)[-1]
        assert doctor is not None
        month_ago = dt.date.today() - dt.timedelta(days=30)
        screen = {"id": "late-mood", "type": "mood_screen", "date": month_ago.isoformat(),
                  "item_scores": [0] * 9, "recorded_by": "dr.lee"}  # fmt: skip
        record_event(service, doctor, course.id, parse_event(screen))
    finally:
        service.close()
    data = _audit_json("--database", demo_store)
    late = [f for f in data["findings"] if f["rule_id"] == "recording.late"]  # type: ignore[union-attr,index]
    assert [(f["event_id"], f["severity"]) for f in late] == [("late-mood", "low")]
    assert "isotrack-decisions" in late[0]["source_ids"]  # decision 37
    assert late[0]["patient_id"].startswith("ps-")  # pseudonymised, never the patient id
