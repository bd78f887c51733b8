"""'Two complementary user-dependent methods' under the EU/UK programme (issue 11, item 8).

The SmPC asks for one user-independent method or two complementary user-dependent forms; its
hormonal-plus-barrier pair is an example. The base EU policy takes the text (two different
user-dependent methods, one of them a barrier method); the UK policy takes the stricter reading
(one hormonal and one barrier) from the BNF ("barrier methods should not be used alone"), and an
EU clinic may choose it: disagreement ``eu_complementary_methods``.
Scenario eu2018-cgp-two-secondary-methods: condom + diaphragm from 2025-03-03.
"""

from __future__ import annotations

import pytest

from isotrack.engines.programme import RequirementStatus, decide_dispense, evaluate_programme
from isotrack.knowledge import Knowledge, parse_knowledge
from isotrack.knowledge.loader import KnowledgeError, read_data_files

from .conftest import ScenarioLoader, day, status

FIRST_DAY = day("2025-04-08")
STRICT = "eu-ppp-2018-hormonal-plus-barrier"


def methods(*codes: str) -> dict[str, object]:
    return {"id": "c1", "type": "contraception", "date": "2025-03-03", "methods": list(codes)}


@pytest.mark.parametrize(
    ("codes", "text_reading", "strict_reading"),
    [
        (("male_condom", "diaphragm_with_spermicide"), True, False),  # two barrier methods
        (("combined_oral_contraceptive", "male_condom"), True, True),  # the SmPC's example
        (("combined_oral_contraceptive", "contraceptive_patch"), False, False),  # no barrier
        (("male_condom",), False, False),  # one user-dependent method alone
        (("implant",), True, True),  # user-independent: enough on its own
    ],
)
def test_each_reading_of_two_complementary_methods(
    knowledge: Knowledge,
    scenario: ScenarioLoader,
    codes: tuple[str, ...],
    text_reading: bool,
    strict_reading: bool,
) -> None:
    for policy, expected in (("eu-ppp-2018", text_reading), (STRICT, strict_reading)):
        timeline = scenario(
            "eu2018-cgp-two-secondary-methods", policy=policy, drop=["c1"], add=[methods(*codes)]
        )
        decision = decide_dispense(knowledge, timeline, FIRST_DAY)
        assert decision.authorized is expected, (policy, codes, decision.reasons)


def test_the_strict_clinic_says_which_method_is_missing_and_shows_its_override(
    knowledge: Knowledge, scenario: ScenarioLoader
) -> None:
    timeline = scenario("eu2018-cgp-two-secondary-methods", policy=STRICT)
    report = evaluate_programme(knowledge, timeline, FIRST_DAY)
    assert status(report, "contraception") is RequirementStatus.UNMET
    message = next(r.message for r in report.requirements if r.id == "contraception")
    assert "1 barrier method, 1 hormonal method" in message
    overrides = report.policy.overrides
    assert any("hormonal and one barrier" in o.reason for o in overrides)


def test_the_base_policy_names_its_reading_in_the_explanation(
    knowledge: Knowledge, scenario: ScenarioLoader
) -> None:
    timeline = scenario("eu2018-cgp-two-secondary-methods")
    report = evaluate_programme(knowledge, timeline, FIRST_DAY)
    message = next(r.message for r in report.requirements if r.id == "contraception")
    assert "two complementary user-dependent methods used together" in message
    assert "hormonal method" not in message
    assert knowledge.policies["eu-ppp-2018"].positions["eu_complementary_methods"] == (
        "smpc_text_two_user_dependent"
    )
    assert knowledge.policies["uk-mhra-2023"].positions["eu_complementary_methods"] == (
        "hormonal_plus_barrier"
    )


def test_the_uk_policy_refuses_two_barrier_methods_as_the_bnf_says(
    knowledge: Knowledge, scenario: ScenarioLoader
) -> None:
    timeline = scenario("uk2023-cgp-two-secondary-methods")
    first = next(e for e in timeline.events if e.id == "rx1").date
    report = evaluate_programme(knowledge, timeline, first)
    assert status(report, "contraception") is RequirementStatus.UNMET
    message = next(r.message for r in report.requirements if r.id == "contraception")
    assert "1 barrier method, 1 hormonal method" in message


def test_a_clinic_changing_the_position_without_the_parameter_fails_at_load() -> None:
    files = read_data_files()
    files["zz_clinic.toml"] = """
[[policy]]
id = "eu-half-strict"
title = "A clinic that changed only the position"
market = "eu"
programme = "eu-ppp"
edition = "2018"
extends = "eu-ppp-2018"
source_ids = ["isotrack-decisions"]

[[policy.overrides]]
disagreement = "eu_complementary_methods"
position = "hormonal_plus_barrier"
reason = "Stricter reading."
source_ids = ["isotrack-decisions"]
"""
    with pytest.raises(KnowledgeError) as raised:
        parse_knowledge(files)
    assert "eu-half-strict" in str(raised.value)
    assert "complementary_hormonal_methods_required" in str(raised.value)
