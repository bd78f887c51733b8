"""The monitoring section as a whole: order, named policy choices, bad input, `evaluate` and
the `isotrack screen` command."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from monitoring_cases import START, day, lab, started
from typer.testing import CliRunner

from isotrack.cli import app
from isotrack.domain.errors import IsotrackInputError
from isotrack.engines.monitoring import Severity, evaluate_monitoring
from isotrack.knowledge import Knowledge, load_knowledge

runner = CliRunner()


def test_alerts_are_sorted_critical_first(knowledge: Knowledge) -> None:
    events = [
        {"id": "ae1", "type": "adverse_event", "date": day(3), "term": "dry lips", "severity": 1},
        lab("tg-1", 4, "tg", 600, "mg/dL"),
        {
            "id": "ae2",
            "type": "adverse_event",
            "date": day(5),
            "term": "pancreatitis",
            "severity": 4,
        },
    ]
    report = evaluate_monitoring(knowledge, started(*events), START + dt.timedelta(days=6))
    ranks = [alert.severity.rank for alert in report.alerts]
    assert ranks == sorted(ranks)
    assert report.alerts[0].severity is Severity.CRITICAL
    assert report.alerts[-1].severity is Severity.INFO


def test_the_policys_choices_are_named(knowledge: Knowledge) -> None:
    report = evaluate_monitoring(knowledge, started(policy="test-seed"), START)
    chosen = {c.disagreement: (c.position, c.chosen_by) for c in report.policy_choices}
    assert chosen["lab_schedule"] == ("seed_article", "test-seed")
    assert chosen["abnormal_labs_stop_rule"] == ("seed_multi_parameter", "test-seed")


def test_an_unknown_policy_is_rejected_naming_the_field(knowledge: Knowledge) -> None:
    with pytest.raises(IsotrackInputError) as caught:
        evaluate_monitoring(knowledge, started(policy="nowhere-2030"), START)
    [problem] = caught.value.problems
    assert (problem.field, problem.value) == ("policy", "nowhere-2030")
    assert "test-eu" in problem.allowed


def test_an_unknown_override_position_is_rejected(knowledge: Knowledge) -> None:
    with pytest.raises(IsotrackInputError) as caught:
        evaluate_monitoring(knowledge, started(), START, lab_schedule="weekly")
    assert "eu_smpc" in caught.value.problems[0].allowed


def test_events_after_the_evaluation_date_are_not_seen(knowledge: Knowledge) -> None:
    future = {
        "id": "ae",
        "type": "adverse_event",
        "date": day(10),
        "term": "tinnitus",
        "severity": 1,
    }
    report = evaluate_monitoring(knowledge, started(future), START + dt.timedelta(days=9))
    assert all(alert.code != "ADVERSE_RED_FLAG" for alert in report.alerts)


def test_a_voided_red_flag_no_longer_alerts(knowledge: Knowledge) -> None:
    events: list[dict[str, object]] = [
        {"id": "ae", "type": "adverse_event", "date": day(2), "term": "tinnitus", "severity": 1},
        {"id": "v", "type": "void", "date": day(3), "target_id": "ae", "reason": "wrong patient"},
    ]
    report = evaluate_monitoring(knowledge, started(*events), START + dt.timedelta(days=4))
    assert all(alert.code != "ADVERSE_RED_FLAG" for alert in report.alerts)


def test_evaluate_includes_the_monitoring_section_with_the_packaged_knowledge() -> None:
    from isotrack.domain.timeline import load_timeline
    from isotrack.engines.assessment import assess

    packaged = load_knowledge()
    policy = sorted(packaged.policies)[0]
    timeline = load_timeline(started(policy=policy).to_json_dict())
    assessment = assess(packaged, timeline, START + dt.timedelta(days=40))
    codes = {alert.code for alert in assessment.monitoring.alerts}
    assert {"LAB_OVERDUE", "MOOD_SCREEN_OVERDUE"} <= codes
    dumped = assessment.model_dump(mode="json", by_alias=True)
    assert dumped["monitoring"]["policy_choices"][0]["chosen_by"] == policy


def test_screen_command_exits_3_on_an_absolute_contraindication() -> None:
    result = runner.invoke(app, ["screen", "--medication", "doxycycline", "--age", "17", "--json"])
    assert result.exit_code == 3, result.output
    payload = json.loads(result.stdout)
    assert payload["findings"][0]["record_id"] == "tetracyclines"


def test_screen_command_lists_unknown_terms_and_interactions_readably() -> None:
    result = runner.invoke(
        app,
        [
            "screen",
            "--condition", "wobbly knees",
            "--medication", "St John's wort",
            "--allergy", "peanut",
            "--product", "roaccutane",
            "--age", "30",
        ],
        env={"COLUMNS": "200"},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "wobbly knees" in result.output
    assert "St John's wort" in result.output
    assert "soybean oil" in result.output


def test_screen_command_rejects_an_unknown_policy() -> None:
    result = runner.invoke(app, ["screen", "--policy", "nowhere"])
    assert result.exit_code == 2
