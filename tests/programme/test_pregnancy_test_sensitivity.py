"""Which pregnancy tests count when the sensitivity figure is missing (issue 11, item 6).

The labels ask for a test detecting 25 mIU/mL or less (US-PT-01, EU-PT-01); none asks for the
figure to be recorded, and laboratory assays detect about 0.2-5 mIU/mL. A serum or laboratory
test counts without a figure; a urine test counts when its figure is recorded or the clinic
configured its kit; otherwise the requirement says "test of DATE: kit sensitivity not
recorded" (and still blocks). A recorded figure above 25 never counts.
Scenario: uk2023-cgp-full-course, monthly test pt2 before rx2 (2026-04-07).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from isotrack.domain.timeline import load_timeline
from isotrack.engines.programme import decide_dispense
from isotrack.knowledge import Knowledge, parse_knowledge
from isotrack.knowledge.loader import read_data_files

from .conftest import SCENARIOS, ScenarioLoader, day, reason_ids

UK = "uk2023-cgp-full-course"
AFTER_RX2 = ["disp2", "pt3", "mh3", "sf3", "rx3", "disp3", "end", "pt4"]


def monthly(**fields: Any) -> dict[str, Any]:
    test = {"id": "pt2", "type": "pregnancy_test", "date": "2026-04-06", "result": "negative",
            "kind": "urine", "setting": "medical"}  # fmt: skip
    return {**test, **fields}


@pytest.mark.parametrize(
    ("fields", "authorized"),
    [
        ({"kind": "serum", "setting": "medical"}, True),
        ({"kind": "urine", "setting": "laboratory"}, True),
        ({"sensitivity_miu_per_ml": 24}, True),
        ({"sensitivity_miu_per_ml": 25}, True),
        ({"sensitivity_miu_per_ml": 26}, False),
        ({"kind": "serum", "sensitivity_miu_per_ml": 50}, False),  # a figure above 25 never counts
    ],
)
def test_which_monthly_tests_count(
    knowledge: Knowledge, scenario: ScenarioLoader, fields: dict[str, Any], authorized: bool
) -> None:
    timeline = scenario(UK, drop=["pt2", *AFTER_RX2], add=[monthly(**fields)])
    decision = decide_dispense(knowledge, timeline, day("2026-04-09"), "rx2")
    assert decision.authorized is authorized, decision.reasons


def test_a_urine_test_without_a_figure_says_so_and_never_no_test_on_record(
    knowledge: Knowledge, scenario: ScenarioLoader
) -> None:
    timeline = scenario(UK, drop=["pt2", *AFTER_RX2], add=[monthly()])
    decision = decide_dispense(knowledge, timeline, day("2026-04-09"), "rx2")
    assert not decision.authorized
    assert reason_ids(decision) == ["test.prescription"]
    message = decision.reasons[0].message
    assert message.startswith("Test of 2026-04-06: kit sensitivity not recorded")
    assert "No negative" not in message


CLINIC = """
[[policy]]
id = "uk-clinic-kit"
title = "UK clinic with a configured urine kit"
market = "uk"
programme = "uk-mhra-clinic"
edition = "2023"
extends = "uk-mhra-2023"
source_ids = ["isotrack-decisions"]

[[policy.overrides]]
parameter = "urine_kit_sensitivity"
fact_id = "{fact}"
reason = "The clinic's urine kit."
source_ids = ["isotrack-decisions"]

[[fact]]
id = "clinic.kit_30"
value = 30
unit = "mIU/mL"
source_ids = ["isotrack-decisions"]
evidence = "expert_opinion"
note = "A kit that is not sensitive enough."
"""


@pytest.mark.parametrize(
    ("fact", "authorized"),
    [("programme.example_clinic_urine_kit_sensitivity", True), ("clinic.kit_30", False)],
)
def test_a_clinic_configured_urine_kit_counts_when_sensitive_enough(
    fact: str, authorized: bool
) -> None:
    files = read_data_files()
    files["zz_clinic.toml"] = CLINIC.replace("{fact}", fact)
    clinic_knowledge = parse_knowledge(files)
    data = json.loads((SCENARIOS / f"{UK}.json").read_text(encoding="utf-8"))
    data["policy"] = "uk-clinic-kit"
    data["events"] = [e for e in data["events"] if e["id"] not in {"pt2", *AFTER_RX2}]
    data["events"].append(monthly())
    decision = decide_dispense(clinic_knowledge, load_timeline(data), day("2026-04-09"), "rx2")
    assert decision.authorized is authorized, decision.reasons
