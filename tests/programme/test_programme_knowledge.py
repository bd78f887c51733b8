"""The programme knowledge: every rule, scheme and policy is complete and cited."""

from __future__ import annotations

import pytest

from isotrack.domain.events import ContraceptionMethodCode
from isotrack.engines.programme.policy import check_programme_knowledge, edition_in_force
from isotrack.knowledge import Knowledge, parse_knowledge
from isotrack.knowledge.loader import read_data_files
from isotrack.knowledge.programme import ContraceptionScheme

from .conftest import day

AGREED_DISAGREEMENTS = (
    "cumulative_target",
    "course_length",
    "daily_dose",
    "lab_schedule",
    "post_treatment_pregnancy_test",
    "abnormal_labs_stop_rule",
)
POLICIES = ("us-ipledge-2023", "us-ipledge-2026", "eu-ppp-2018", "uk-mhra-2023")


def test_rules_policies_and_schemes_fit_together(knowledge: Knowledge) -> None:
    assert check_programme_knowledge(knowledge) == []


@pytest.mark.parametrize("policy_id", POLICIES)
def test_each_policy_takes_a_position_on_every_agreed_disagreement(
    knowledge: Knowledge, policy_id: str
) -> None:
    assert set(AGREED_DISAGREEMENTS) <= set(knowledge.policy(policy_id).positions)


def test_every_contraception_method_of_the_contract_is_classed_by_every_scheme(
    knowledge: Knowledge,
) -> None:
    codes = {str(code) for code in ContraceptionMethodCode}
    for scheme in knowledge.records("contraception_scheme", ContraceptionScheme).values():
        classed = {c for codes_ in scheme.classes.values() for c in codes_}
        classed |= set(scheme.not_acceptable)
        assert classed == codes, scheme.id


def test_ipledge_refuses_the_mini_pill_as_a_method(knowledge: Knowledge) -> None:
    # US-CON-02 via prog-methods-summary / prog-acneandu-methods: the mini-pill is not acceptable.
    scheme = knowledge.records("contraception_scheme", ContraceptionScheme)["ipledge-methods"]
    assert scheme.class_of("progestin_only_pill") is None
    assert scheme.class_of("iud") == "primary"
    assert scheme.class_of("male_condom") == "secondary"


def test_clinic_policy_inherits_everything_and_lists_its_override(knowledge: Knowledge) -> None:
    base = knowledge.policy("eu-ppp-2018")
    clinic = knowledge.policy("eu-ppp-2018-monthly-tests")
    assert clinic.positions == base.positions
    assert clinic.parameters == base.parameters
    assert clinic.effective_from == base.effective_from
    assert [o.rule_id for o in clinic.overrides] == ["EU-PT-03"]


def test_a_clinic_can_move_the_uncertain_us_switch_over_date() -> None:
    # The 2026 edition's date is a setting: 8 Aug 2026 by the 180-day rule, 15 Nov 2026 in
    # unconfirmed reports (programmes.md §0). A clinic policy extending it can move it.
    files = read_data_files()
    files["zz_clinic.toml"] = """
[[policy]]
id = "us-ipledge-2026-november"
title = "iPLEDGE 2026 from 15 Nov 2026 (clinic setting)"
market = "us"
programme = "ipledge-clinic"
edition = "2026"
extends = "us-ipledge-2026"
effective_from = 2026-11-15
source_ids = ["prog-fda-ipledge-page"]
"""
    knowledge = parse_knowledge(files)
    moved = knowledge.policy("us-ipledge-2026-november")
    assert moved.effective_from == day("2026-11-15")
    assert moved.parameters == knowledge.policy("us-ipledge-2026").parameters


def test_the_edition_in_force_follows_the_configured_dates(knowledge: Knowledge) -> None:
    # us-ipledge-2026 effective_from = 2026-08-08 (approval 9 Feb 2026 + 180 days).
    before = edition_in_force(knowledge, "ipledge", day("2026-08-07"))
    after = edition_in_force(knowledge, "ipledge", day("2026-08-08"))
    assert before is not None and before.id == "us-ipledge-2023"
    assert after is not None and after.id == "us-ipledge-2026"


def test_an_override_naming_an_unknown_policy_base_is_refused() -> None:
    files = read_data_files()
    files["zz_bad.toml"] = """
[[policy]]
id = "clinic-x"
title = "broken"
market = "eu"
programme = "eu-ppp"
edition = "x"
extends = "no-such-policy"
source_ids = ["prog-eu-smpc-template"]
"""
    with pytest.raises(ValueError, match="extends missing policy 'no-such-policy'"):
        parse_knowledge(files)
