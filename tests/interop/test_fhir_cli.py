"""``isotrack fhir from-timeline`` and ``to-timeline``: a clinic's integrator converts a course
file to a Bundle and back on the command line."""

from __future__ import annotations

import json
from pathlib import Path

from fhir_cases import SCENARIOS, every_event_course
from typer.testing import CliRunner

from isotrack.cli import app

runner = CliRunner()


def test_a_scenario_file_becomes_a_bundle_and_comes_back_unchanged(tmp_path: Path) -> None:
    scenario = SCENARIOS / "us2026-cgp-full-course.json"
    out = runner.invoke(app, ["fhir", "from-timeline", str(scenario)])
    assert out.exit_code == 0, out.output
    bundle = json.loads(out.stdout)
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "collection"
    bundle_file = tmp_path / "bundle.json"
    bundle_file.write_text(out.stdout, encoding="utf-8")
    back = runner.invoke(app, ["fhir", "to-timeline", str(bundle_file)])
    assert back.exit_code == 0, back.output
    original = json.loads(scenario.read_text(encoding="utf-8"))
    assert [e["id"] for e in json.loads(back.stdout)["events"]] == [
        e["id"] for e in original["events"]
    ]


def test_the_not_carried_report_comes_with_json(tmp_path: Path) -> None:
    course_file = tmp_path / "course.json"
    course_file.write_text(json.dumps(every_event_course().to_json_dict()), encoding="utf-8")
    out = runner.invoke(app, ["fhir", "from-timeline", str(course_file), "--json"])
    assert out.exit_code == 0, out.output
    report = json.loads(out.stdout)["report"]
    assert any(f["where"] == "event alt_1" for f in report["not_carried"])


def test_an_unreadable_bundle_exits_1_with_the_reasons(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"resourceType": "Bundle", "entry": [{"resource": "..."}]}', encoding="utf-8")
    out = runner.invoke(app, ["fhir", "to-timeline", str(bad), "--json"])
    assert out.exit_code == 1
    payload = json.loads(out.stdout)
    assert payload["timeline"] is None
    messages = [w["message"] for w in payload["report"]["warnings"]]
    assert "Bundle.type is missing; read anyway" in messages
