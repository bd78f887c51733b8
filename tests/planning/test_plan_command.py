"""``isotrack plan`` as a prescriber types it, and the dose view of ``evaluate``."""

from __future__ import annotations

import json

from planning_cases import course, day, dispense, event, prescription, weight
from rich.console import Console
from typer.testing import CliRunner

from isotrack.cli import app
from isotrack.cli.dose_view import dose_view
from isotrack.engines.dose import evaluate_dose
from isotrack.knowledge import Knowledge

runner = CliRunner()
WORKED_EXAMPLE = [
    "plan",
    "--product",
    "claravis",
    "--weight-kg",
    "60",
    "--mg-per-kg",
    "0.5",
    "--start",
    "2026-01-05",
    "--target-mg-per-kg",
    "120",
]


def test_the_worked_example_prints_a_readable_plan() -> None:
    # The README's main job: 60 kg x 0.5 = 30 mg Claravis, 7200 mg reached on day 240.
    result = runner.invoke(app, WORKED_EXAMPLE)
    assert result.exit_code == 0, result.output
    assert "1 x 30 mg" in result.output
    assert "2026-09-01" in result.output


def test_json_output_has_the_agreed_keys() -> None:
    result = runner.invoke(app, [*WORKED_EXAMPLE, "--json"])
    assert result.exit_code == 0, result.output
    plan = json.loads(result.output)
    for key in (
        "product",
        "weight_kg",
        "daily_dose_mg",
        "mg_per_kg_per_day",
        "regimen",
        "supply_30_days",
        "target_cumulative_mg",
        "projected_days",
        "projected_end_date",
        "warnings",
        "source_ids",
    ):
        assert key in plan, key
    assert plan["regimen"] == [
        {
            "capsules": [{"strength_mg": 30.0, "count": 1}],
            "dose_mg": 30.0,
            "capsule_count": 1,
            "intakes": None,
        }
    ]
    assert plan["projected_days"] == 240
    assert all({"code", "message", "source_ids"} <= set(w) for w in plan["warnings"])


def test_phases_and_split_doses_from_the_command_line() -> None:
    result = runner.invoke(
        app,
        [
            "plan",
            "--product",
            "roaccutane",
            "--weight-kg",
            "70",
            "--phase",
            "0.5:4",
            "--phase",
            "1.0",
            "--split",
            "--start",
            "2026-01-05",
            "--treat-to-clearance",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    plan = json.loads(result.output)
    # Phase 2: 70 x 1.0 = 70 mg = 20 + 20 + 20 + 10, split 40 mg morning / 30 mg evening.
    second = plan["phases"][1]["regimen"][0]
    assert second["dose_mg"] == 70.0
    assert [(i["time"], i["dose_mg"]) for i in second["intakes"]] == [
        ("morning", 40.0),
        ("evening", 30.0),
    ]
    assert plan["projected_end_date"] is None


def test_an_unknown_product_fails_with_the_known_ids() -> None:
    result = runner.invoke(
        app, ["plan", "--product", "isotane", "--weight-kg", "60", "--mg-per-kg", "0.5"]
    )
    assert result.exit_code == 2
    assert "claravis" in result.output


def test_a_weight_in_pounds_is_refused() -> None:
    # 154 lb typed as kg is still plausible; 330 lb is not (> 250 kg, isotrack-decisions).
    result = runner.invoke(
        app, ["plan", "--product", "claravis", "--weight-kg", "330", "--mg-per-kg", "0.5"]
    )
    assert result.exit_code == 2
    assert "weight_kg" in result.output


def test_the_dose_view_shows_both_weight_bases_and_unknowns(knowledge: Knowledge) -> None:
    timeline = course(
        prescription("rx1", "2026-01-02", 30),
        dispense("d1", "2026-01-05", "rx1"),
        event("start", "course_start", "2026-01-05"),
        weight("w1", "2026-01-08", 60),
    )
    progress = evaluate_dose(knowledge, timeline, day("2026-01-20"))
    console = Console(width=120, record=True)
    console.print(dose_view(progress))
    text = console.export_text()
    assert "weight at dose date (default)" in text
    assert "unknown" in text  # 5-7 Jan had no weight yet, so per-date mg/kg is unknown
    assert "480 mg" in text  # 5-20 Jan inclusive = 16 days x 30 mg
