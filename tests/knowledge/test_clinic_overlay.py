"""A clinic's settings laid over the knowledge base (decision 51) load with every check the
packaged knowledge passes: an edition's start is one of its recorded dates, the edition it
replaces ends that day, and a clinic policy that extends an edition inherits the clinic's
overrides of it."""

from __future__ import annotations

import datetime as dt

import pytest

from isotrack.knowledge import ClinicOverlay, KnowledgeError, clinic_knowledge, load_knowledge
from isotrack.knowledge.model import EvidenceLevel, Fact, PolicyOverride

LATER = dt.date(2026, 11, 15)  # the later of the 2026 iPLEDGE edition's recorded dates
SOURCE = ["isotrack-decisions"]


def _moved(day: dt.date, *, end_too: bool = True) -> ClinicOverlay:
    start = PolicyOverride(effective_from=day, reason="The clinic's date.", source_ids=SOURCE)
    end = PolicyOverride(effective_until=day, reason="The clinic's date.", source_ids=SOURCE)
    moves = {"us-ipledge-2026": (start,)}
    if end_too:
        moves["us-ipledge-2023"] = (end,)
    return ClinicOverlay(moves)


def test_the_packaged_edition_starts_on_the_fda_rules_date_among_its_recorded_dates() -> None:
    edition = load_knowledge().policy("us-ipledge-2026")
    dates = [c.date for c in edition.effective_from_candidates]
    assert edition.effective_from == dt.date(2026, 8, 8) and dates == [
        edition.effective_from,
        LATER,
    ]
    assert load_knowledge().policy(edition.replaces or "").effective_until == edition.effective_from


def test_moving_the_2026_edition_to_its_other_recorded_date_moves_the_2023_end() -> None:
    knowledge = clinic_knowledge(_moved(LATER))
    assert knowledge.policy("us-ipledge-2026").effective_from == LATER
    assert knowledge.policy("us-ipledge-2023").effective_until == LATER
    assert load_knowledge().policy("us-ipledge-2026").effective_from == dt.date(2026, 8, 8)


@pytest.mark.parametrize(
    ("overlay", "problem"),
    [
        (_moved(dt.date(2026, 9, 1)), "not one of its recorded dates"),
        (_moved(LATER, end_too=False), "ends on 2026-08-08 but 'us-ipledge-2026'"),
    ],
)
def test_a_date_off_the_record_or_a_gap_between_editions_does_not_load(
    overlay: ClinicOverlay, problem: str
) -> None:
    with pytest.raises(KnowledgeError, match=problem):
        clinic_knowledge(overlay)


def test_a_clinic_policy_extending_an_edition_inherits_the_clinics_kit() -> None:
    kit = Fact(id="clinic.kit", value=20, unit="mIU/mL", source_ids=SOURCE,
               evidence=EvidenceLevel.EXPERT_OPINION, note="The clinic's kit.")  # fmt: skip
    override = PolicyOverride(parameter="urine_kit_sensitivity", fact_id="clinic.kit",
                              reason="The clinic's kit.", source_ids=SOURCE)  # fmt: skip
    knowledge = clinic_knowledge(ClinicOverlay({"eu-ppp-2018": (override,)}, (kit,)))
    child = knowledge.policy("eu-ppp-2018-monthly-tests")
    assert child.parameters["urine_kit_sensitivity"] == "clinic.kit"
    assert override in child.overrides
    assert "urine_kit_sensitivity" not in load_knowledge().policy("eu-ppp-2018").parameters
