"""``isotrack evaluate --batch``: a population of courses in, one assessment per line out.

A clinic or an auditor sends many courses at once as NDJSON. Each output line must be exactly
what ``evaluate --json`` says for that course alone (the same JSON value), in the input order; a
line that cannot be read gets an error object naming its line number, the field, the value and
what is allowed, and the rest of the batch is still evaluated (exit code 2 at the end).
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from typer.testing import CliRunner

from isotrack.cli import app
from timeline_cases import event

TESTS = Path(__file__).resolve().parent.parent
SCENARIOS = TESTS / "programme" / "scenarios"
runner = CliRunner()


def _case_module(folder: str, name: str) -> ModuleType:
    """The monitoring or planning suite's own timeline builders, read from their folder."""
    spec = importlib.util.spec_from_file_location(f"_batch_{name}", TESTS / folder / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _builder_documents() -> list[dict[str, Any]]:
    """Courses written with the monitoring and planning suites' builders, under real policies."""
    mon = _case_module("monitoring", "monitoring_cases")
    plan = _case_module("planning", "planning_cases")
    eu = {"policy": "eu-ppp-2018"}
    built = [
        mon.started(mon.lab("alt1", 30, "alt", 130, "U/L", reference_high=40), **eu),
        mon.started(
            mon.lab("tg1", -3, "triglycerides", 1.4, "mmol/L"),
            mon.lab("tg2", 40, "triglycerides", 9.5, "mmol/L"),
            event("phq", "mood_screen", mon.day(35), item_scores=[2, 2, 1, 1, 0, 0, 1, 2, 1]),
            event("ae", "adverse_event", mon.day(20), term="dry eyes", severity=2),
            event("med", "medication", mon.day(1), name="Doxycycline 100 mg"),
            **eu,
        ),
        mon.started(
            event("cond", "condition", mon.day(-10), term="diabetes"),
            event("end", "course_end", mon.day(120)),
            policy="uk-mhra-2023",
            can_get_pregnant=True,
        ),
        plan.course(
            plan.weight("w1", "2026-01-02", 70),
            plan.prescription("rx1", "2026-01-05", 40),
            plan.dispense("d1", "2026-01-06", "rx1"),
            event("miss", "dose_missed", "2026-01-20", days=3),
            plan.prescription("rx2", "2026-02-04", 60),
            plan.dispense("d2", "2026-02-05", "rx2"),
        ),
        plan.course(
            plan.weight("w1", "2026-01-02", 82.5),
            plan.prescription("rx1", "2026-01-05", 40),
            plan.dispense("d1", "2026-01-06", "rx1"),
            event(
                "fix",
                "amend",
                "2026-01-07",
                target_id="w1",
                changes={"weight_kg": 80.0},
                reason="scale read wrongly",
            ),
            event("v", "void", "2026-01-08", target_id="d1", reason="entered twice"),
            policy="us-ipledge-2023",
        ),
    ]
    return [timeline.to_json_dict() for timeline in built]


def _documents() -> list[dict[str, Any]]:
    scenarios = [
        json.loads(path.read_text(encoding="utf-8")) for path in sorted(SCENARIOS.glob("*.json"))
    ]
    return scenarios + _builder_documents()


def _single(tmp_path: Path, document: dict[str, Any], as_of: str) -> Any:
    path = tmp_path / "course.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    result = runner.invoke(app, ["evaluate", str(path), "--as-of", as_of, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.mark.parametrize("as_of", ["2024-03-08", "2026-11-15"])
def test_each_line_is_what_evaluate_says_for_that_course_alone(tmp_path: Path, as_of: str) -> None:
    documents = _documents()
    assert len(documents) >= 44  # every programme scenario and the suites' builder courses
    ndjson = "".join(json.dumps(document) + "\n" for document in documents)
    result = runner.invoke(app, ["evaluate", "--batch", "-", "--as-of", as_of], input=ndjson)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == len(documents)
    for line, document in zip(lines, documents, strict=True):
        assert json.loads(line) == _single(tmp_path, document, as_of), document["patient"]["id"]


def test_a_bad_line_gets_an_error_naming_the_field_and_the_batch_goes_on(tmp_path: Path) -> None:
    good = json.loads((SCENARIOS / "us2026-cgp-full-course.json").read_text(encoding="utf-8"))
    wrong_sex = {**good, "patient": {**good["patient"], "sex_at_birth": "f"}}
    unknown_policy = {**good, "policy": "us-ipledge-2099"}
    path = tmp_path / "courses.ndjson"
    path.write_text(
        "\n".join(
            [
                json.dumps(good),
                json.dumps(wrong_sex),
                "",
                '{"schema": ',
                json.dumps(unknown_policy),
                json.dumps(good),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["evaluate", "--batch", str(path), "--as-of", "2026-11-15"])
    assert result.exit_code == 2  # some lines failed
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert len(lines) == 5  # the blank line 3 is skipped, the others answered in order
    assert lines[0]["schema"] == "isotrack.assessment/1" and lines[4] == lines[0]
    assert lines[1] == {
        "line": 2,
        "error": "invalid timeline",
        "problems": [
            {
                "location": "timeline",
                "field": "patient.sex_at_birth",
                "value": "f",
                "allowed": "one of 'female', 'male', 'intersex' or 'unknown'",
            }
        ],
    }
    assert lines[2]["line"] == 4 and lines[2]["problems"][0]["allowed"] == "valid JSON"
    policy_problem = lines[3]["problems"][0]
    assert lines[3]["line"] == 5 and policy_problem["field"] == "policy"
    assert policy_problem["value"] == "us-ipledge-2099"
    assert "us-ipledge-2026" in policy_problem["allowed"]


def test_text_that_is_not_utf8_is_an_error_line_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "courses.ndjson"
    path.write_bytes(b'{"schema": "\xff\xfe"}\n')
    result = runner.invoke(app, ["evaluate", "--batch", str(path), "--as-of", "2026-11-15"])
    assert result.exit_code == 2
    line = json.loads(result.output)
    assert line["line"] == 1 and line["problems"][0]["allowed"] == "UTF-8 text"


def test_a_file_and_batch_together_are_refused(tmp_path: Path) -> None:
    path = SCENARIOS / "us2026-cgp-full-course.json"
    result = runner.invoke(
        app, ["evaluate", str(path), "--batch", str(path), "--as-of", "2026-11-15"]
    )
    assert result.exit_code == 2
    assert "not both" in result.output
