"""``isotrack check-dispense`` and ``evaluate`` with clinical holds and a pregnancy."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from isotrack.cli import app

from .conftest import course, lab

runner = CliRunner()


def _write(tmp_path: Path, *extra: dict[str, object]) -> Path:
    path = tmp_path / "course.json"
    path.write_text(json.dumps(course(*extra).to_json_dict()), encoding="utf-8")
    return path


def test_check_dispense_exits_3_and_shows_the_hold_beside_the_programme(tmp_path: Path) -> None:
    path = _write(tmp_path, lab("tg1", "2024-04-04", "triglycerides", 1200, "mg/dL"))
    result = runner.invoke(app, ["check-dispense", str(path), "--on", "2024-04-06", "--json"])
    assert result.exit_code == 3, result.output
    decision = json.loads(result.output)
    assert decision["authorized"] is False and decision["programme_met"] is True
    assert decision["reasons"] == []
    (hold,) = decision["clinical_holds"]
    assert set(hold) >= {"alert_id", "code", "date", "severity", "message", "action", "source_ids"}
    assert hold["alert_id"] == "TG_PANCREATITIS_RISK:tg1" and hold["date"] == "2024-04-04"
    readable = runner.invoke(app, ["check-dispense", str(path), "--on", "2024-04-06"])
    assert readable.exit_code == 3
    assert "programme: met" in readable.output and "clinical: on hold (1)" in readable.output
    assert "TG_PANCREATITIS_RISK:tg1" in readable.output


def test_check_dispense_without_a_hold_still_exits_0(tmp_path: Path) -> None:
    result = runner.invoke(app, ["check-dispense", str(_write(tmp_path)), "--on", "2024-04-06"])
    assert result.exit_code == 0, result.output
    assert "clinical: no hold" in result.output


def test_evaluate_json_has_the_exposure_record_and_the_alert_lifecycle(tmp_path: Path) -> None:
    reported = {"id": "preg", "type": "pregnancy_reported", "date": "2024-04-05"}
    path = _write(tmp_path, reported)
    result = runner.invoke(app, ["evaluate", str(path), "--as-of", "2024-04-06", "--json"])
    assert result.exit_code == 0, result.output
    assessment = json.loads(result.output)
    assert assessment["pregnancy_exposure"]["known_on"] == "2024-04-05"
    safety = assessment["monitoring"]["safety"]
    assert safety["course_status"] == "stopped: pregnancy"
    assert [a["alert"]["id"] for a in safety["alerts"]] == ["PREGNANCY_REPORTED:preg"]
    assert "PREGNANCY_REPORTED:preg" in {a["id"] for a in assessment["monitoring"]["alerts"]}
    readable = runner.invoke(app, ["evaluate", str(path), "--as-of", "2024-04-06"])
    assert "Pregnancy exposure record" in readable.output
    assert "stopped: pregnancy" in readable.output


def test_evaluate_json_has_a_null_exposure_without_a_pregnancy(tmp_path: Path) -> None:
    result = runner.invoke(app, ["evaluate", str(_write(tmp_path)), "--as-of", "2024-04-06",
                                 "--json"])  # fmt: skip
    assert json.loads(result.output)["pregnancy_exposure"] is None


def test_the_timeline_schema_lists_the_new_events() -> None:
    result = runner.invoke(app, ["schema", "timeline"])
    assert result.exit_code == 0
    assert '"alert_review"' in result.output and '"pregnancy_outcome"' in result.output
