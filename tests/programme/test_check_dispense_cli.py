"""``isotrack check-dispense``: the decision alone, exit 0 when authorized and 3 when not."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from isotrack.cli import app

from .conftest import SCENARIOS

runner = CliRunner()


def _write(tmp_path: Path, name: str, drop: set[str]) -> Path:
    data = json.loads((SCENARIOS / f"{name}.json").read_text(encoding="utf-8"))
    data["events"] = [e for e in data["events"] if e["id"] not in drop]
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_authorized_dispense_exits_0_with_the_last_day(tmp_path: Path) -> None:
    path = _write(tmp_path, "us2023-cgp-full-course", {"disp2"})
    result = runner.invoke(
        app, ["check-dispense", str(path), "--on", "2024-03-08", "--prescription", "rx2", "--json"]
    )
    assert result.exit_code == 0, result.output
    decision = json.loads(result.output)
    assert decision["authorized"] is True
    assert decision["dispense_by"] == "2024-03-12"  # US-WIN-01: 2024-03-06 + 6 days
    assert decision["max_days_supply"] == 30


def test_refused_dispense_exits_3_and_names_the_rule() -> None:
    path = SCENARIOS / "us2023-cgp-missed-first-window.json"
    result = runner.invoke(app, ["check-dispense", str(path), "--on", "2024-02-12", "--json"])
    assert result.exit_code == 3
    decision = json.loads(result.output)
    assert decision["authorized"] is False
    assert {r["rule_id"] for r in decision["reasons"]} >= {"US-WIN-01", "US-WIN-03"}
    assert decision["next_steps"][0]["not_before"] == "2024-02-24"


def test_readable_output_states_the_verdict() -> None:
    path = SCENARIOS / "uk2023-cgp-mental-health-missing.json"
    result = runner.invoke(app, ["check-dispense", str(path), "--on", "2026-03-08"])
    assert result.exit_code == 3
    assert "NOT AUTHORIZED" in result.output
    assert "UK-MH-02a" in result.output


def test_bad_date_is_an_input_error_not_a_refusal() -> None:
    path = SCENARIOS / "us2023-cgp-full-course.json"
    result = runner.invoke(app, ["check-dispense", str(path), "--on", "08/03/2024"])
    assert result.exit_code == 2


def test_unknown_prescription_is_refused_with_a_reason() -> None:
    path = SCENARIOS / "us2023-cgp-full-course.json"
    result = runner.invoke(
        app, ["check-dispense", str(path), "--on", "2024-03-08", "--prescription", "rx9", "--json"]
    )
    assert result.exit_code == 3
    assert json.loads(result.output)["reasons"][0]["requirement_id"] == "prescription"
