"""iPLEDGE 2023: the 30-day window of a patient who cannot get pregnant runs from the office visit,
whose date is the day the prescriber confirms counselling at it (US-WIN-02; issue 11 item 7).
Without a recorded visit, the counselling confirmation (else the prescription) stands in, and
the output says so. Scenario us2023-cngp-full-course: cycle 2 confirmed on 2024-02-01.
"""

from __future__ import annotations

import pytest

from isotrack.engines.programme import decide_dispense, evaluate_programme
from isotrack.knowledge import Knowledge

from .conftest import ScenarioLoader, day, reason_ids

LATER = ["disp2", "v3", "cns3", "rx3", "disp3", "end"]


@pytest.mark.parametrize(
    ("on", "authorized"), [("2024-03-01", True), ("2024-03-02", False)], ids=["day-30", "day-31"]
)
def test_counselling_confirmation_stands_in_for_an_unrecorded_visit(
    knowledge: Knowledge, scenario: ScenarioLoader, on: str, authorized: bool
) -> None:
    timeline = scenario("us2023-cngp-full-course", drop=["v2", *LATER])
    decision = decide_dispense(knowledge, timeline, day(on))
    assert decision.authorized is authorized, decision.reasons
    if not authorized:
        assert "dispense.window" in reason_ids(decision)
    report = evaluate_programme(knowledge, timeline, day("2024-02-10"))
    [window] = [r for r in report.requirements if r.id == "dispense.window"]
    assert "counselling confirmation is taken as it" in window.message
    assert window.event_ids == ["cns2"]


def test_with_neither_visit_nor_counselling_the_prescription_date_stands_in(
    knowledge: Knowledge, scenario: ScenarioLoader
) -> None:
    timeline = scenario("us2023-cngp-full-course", drop=["v2", "cns2", *LATER])
    report = evaluate_programme(knowledge, timeline, day("2024-02-10"))
    [window] = [r for r in report.requirements if r.id == "dispense.window"]
    assert "prescription's date is taken as it" in window.message
