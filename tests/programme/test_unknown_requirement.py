"""A requirement whose judgement needs a fact nobody recorded is ``unknown`` (issue 11, item 6).

A urine pregnancy test with no recorded kit sensitivity (and no clinic kit configured) is not
"no test on record" and not plainly "unmet": the requirement is ``unknown``, it names the test
and says what to record, and every gate treats it as open — the dispense decision, the
checklist schedule, the today list entry, the FHIR $rems-etasu answer, the CDS card and the
audit. At the boundary, a recorded 25 mIU/mL counts (met) and 26 does not (unmet, not unknown).
"""

from __future__ import annotations

from typing import Any

import pytest

from isotrack.audit.rules import audit_course
from isotrack.domain.timeline import Timeline
from isotrack.engines.assessment import assess
from isotrack.engines.programme import (
    BLOCKING_STATUSES,
    RequirementStatus,
    Role,
    decide_dispense,
    evaluate_programme,
)
from isotrack.engines.schedule import build_schedule
from isotrack.engines.worklist import worklist_entry
from isotrack.interop.cds.card_parts import CardLinks
from isotrack.interop.cds.course_cards import CourseFacts, programme_card
from isotrack.interop.fhir.rems import etasu_response
from isotrack.knowledge import Knowledge

from .conftest import ScenarioLoader, day, reason_ids, status

UK = "uk2023-cgp-full-course"
AFTER_RX2 = ["disp2", "pt3", "mh3", "sf3", "rx3", "disp3", "end", "pt4"]
RX2_WAITS = day("2026-04-09")


def monthly_urine_test(**fields: Any) -> dict[str, Any]:
    """The monthly test before rx2, in the clinic, with no figure unless one is given."""
    test = {"id": "pt2", "type": "pregnancy_test", "date": "2026-04-06", "result": "negative",
            "kind": "urine", "setting": "medical"}  # fmt: skip
    return {**test, **fields}


@pytest.fixture()
def unrecorded_kit(scenario: ScenarioLoader) -> Timeline:
    return scenario(UK, drop=["pt2", *AFTER_RX2], add=[monthly_urine_test()])


def test_the_requirement_is_unknown_and_refuses_the_dispense(
    knowledge: Knowledge, unrecorded_kit: Timeline
) -> None:
    report = evaluate_programme(knowledge, unrecorded_kit, RX2_WAITS)
    assert status(report, "test.prescription") is RequirementStatus.UNKNOWN
    decision = decide_dispense(knowledge, unrecorded_kit, RX2_WAITS, "rx2")
    assert not decision.authorized
    assert not decision.programme_met
    assert reason_ids(decision) == ["test.prescription"]
    assert "kit sensitivity not recorded" in decision.reasons[0].message
    step = next(s for s in decision.next_steps if s.requirement_id == "test.prescription")
    assert step.who is Role.PRESCRIBER
    assert "Record the sensitivity (mIU/mL) of the urine kit used for the test of 2026-04-06" in (
        step.what
    )


@pytest.mark.parametrize(
    ("figure", "expected", "authorized"),
    [
        (24, RequirementStatus.MET, True),
        (25, RequirementStatus.MET, True),
        (26, RequirementStatus.UNMET, False),  # recorded and too weak: unmet, not unknown
    ],
)
def test_a_recorded_figure_decides_at_the_25_miu_boundary(
    knowledge: Knowledge,
    scenario: ScenarioLoader,
    figure: int,
    expected: RequirementStatus,
    authorized: bool,
) -> None:
    timeline = scenario(
        UK, drop=["pt2", *AFTER_RX2], add=[monthly_urine_test(sensitivity_miu_per_ml=figure)]
    )
    report = evaluate_programme(knowledge, timeline, RX2_WAITS)
    assert status(report, "test.prescription") is expected
    assert decide_dispense(knowledge, timeline, RX2_WAITS, "rx2").authorized is authorized


def test_a_serum_test_without_a_figure_is_met_not_unknown(
    knowledge: Knowledge, scenario: ScenarioLoader
) -> None:
    timeline = scenario(UK, drop=["pt2", *AFTER_RX2], add=[monthly_urine_test(kind="serum")])
    report = evaluate_programme(knowledge, timeline, RX2_WAITS)
    assert status(report, "test.prescription") is RequirementStatus.MET


def test_the_first_us_window_is_unknown_when_the_confirmation_kit_is_unrecorded(
    knowledge: Knowledge, scenario: ScenarioLoader
) -> None:
    confirmation = {"id": "pt2", "type": "pregnancy_test", "date": "2024-02-05",
                    "result": "negative", "kind": "urine", "setting": "medical"}  # fmt: skip
    timeline = scenario("us2023-cgp-full-course", drop=["pt2"], add=[confirmation])
    on = day("2024-02-07")
    report = evaluate_programme(knowledge, timeline.model_copy(
        update={"events": [e for e in timeline.events if e.date < on]}), on)  # fmt: skip
    assert status(report, "test.confirmation") is RequirementStatus.UNKNOWN
    assert status(report, "dispense.window") is RequirementStatus.UNKNOWN
    window = next(r for r in report.requirements if r.id == "dispense.window")
    assert window.message.startswith("Test of 2024-02-05: kit sensitivity not recorded")
    assert not report.dispense_decision.authorized


def test_every_gate_reads_unknown_as_open(knowledge: Knowledge, unrecorded_kit: Timeline) -> None:
    assert RequirementStatus.UNKNOWN in BLOCKING_STATUSES
    # The today list: the prescription waits and cannot be dispensed.
    entry = worklist_entry(knowledge, unrecorded_kit, RX2_WAITS)
    assert entry.status == "blocked"
    # The checklist schedule keeps the open requirement on it.
    items = build_schedule(knowledge, unrecorded_kit, RX2_WAITS).items
    assert "test.prescription" in {i.requirement_id for i in items}
    # FHIR $rems-etasu: the requirement is data-required and so is the case.
    report = evaluate_programme(knowledge, unrecorded_kit, RX2_WAITS)
    guidance = etasu_response(report, "p1", "case-1", RX2_WAITS)["parameter"][0]["resource"]
    assert guidance["status"] == "data-required"
    answers = guidance["contained"][0]["parameter"]
    prescription_test = next(a for a in answers if "kit sensitivity" in str(a))
    assert prescription_test["resource"]["status"] == "data-required"
    # CDS: the programme card lists it as blocking.
    facts = CourseFacts(knowledge, unrecorded_kit, assess(knowledge, unrecorded_kit, RX2_WAITS),
                        RX2_WAITS, "hook-1", CardLinks(base_url="http://127.0.0.1"))  # fmt: skip
    card = programme_card(facts)
    assert card is not None
    assert card.detail is not None and "kit sensitivity not recorded" in card.detail


def test_a_dispense_on_an_unknown_requirement_is_an_audit_finding(
    knowledge: Knowledge, scenario: ScenarioLoader
) -> None:
    dispensed = {"id": "disp2", "type": "dispense", "date": "2026-04-09", "prescription_id": "rx2",
                 "days_supply": 30}  # fmt: skip
    timeline = scenario(UK, drop=["pt2", *AFTER_RX2], add=[monthly_urine_test(), dispensed])
    found = audit_course(knowledge, timeline, day("2026-04-20")).findings
    rules = {f.rule_id for f in found}
    assert "unauthorized_dispense.test.prescription" in rules
