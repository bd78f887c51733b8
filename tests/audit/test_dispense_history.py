"""Every dispense of a course judged in one call gives the answers of one call per dispense.

The audit judges each dispense on the course as recorded before it (decision 34). It used to cut
that prefix itself and ask ``decide_dispense`` and ``overdue_alerts`` about it, one dispense at a
time; ``judge_dispenses`` now answers for all of them, reading each lab result, its grade and each
stop-rule series once for the course. These cases hold it to the per-dispense answers, whole
(every reason, hold, step, note and overdue alert): synthetic populations of all four policies
with their injected violations, every programme scenario, and a course whose labs hold it, are
recorded late, amended and voided.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from isotrack.audit.synth import AUDIT_DATE, POLICIES, synth_course
from isotrack.domain.events import Dispensed
from isotrack.domain.timeline import Timeline, effective_events, events_of, load_timeline
from isotrack.engines.dispense_history import judge_dispenses
from isotrack.engines.monitoring.course import course_view
from isotrack.engines.monitoring.overdue import overdue_alerts
from isotrack.engines.programme import decide_dispense
from isotrack.knowledge import Knowledge

SCENARIOS = Path(__file__).parent.parent / "programme" / "scenarios"
FULL_COURSE = SCENARIOS / "us2023-cgp-full-course.json"

Answers = list[tuple[str, dict[str, Any], list[dict[str, Any]]]]


def one_call_per_dispense(knowledge: Knowledge, timeline: Timeline, until: dt.date) -> Answers:
    """The audit's former path: each prefix a timeline of its own, judged on its own."""
    position = {e.id: i for i, e in enumerate(timeline.events)}
    answers: Answers = []
    dated = [e for e in effective_events(timeline) if e.date <= until]
    for dispense in events_of(dated, Dispensed):
        before = timeline.model_copy(update={"events": timeline.events[: position[dispense.id]]})
        decision = decide_dispense(knowledge, before, dispense.date, dispense.prescription_id)
        overdue = overdue_alerts(knowledge, course_view(before, dispense.date))
        answers.append((dispense.id, decision.model_dump(), [a.model_dump() for a in overdue]))
    return answers


def one_call(knowledge: Knowledge, timeline: Timeline, until: dt.date) -> Answers:
    return [
        (j.dispense.id, j.decision.model_dump(), [a.model_dump() for a in j.overdue])
        for j in judge_dispenses(knowledge, timeline, until)
    ]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_synthetic_population_is_judged_alike_dispense_by_dispense(
    knowledge: Knowledge, seed: int
) -> None:
    policies: set[str] = set()
    injected: set[str] = set()
    refused = 0
    for index in range(40):
        document, injection = synth_course(seed, index)
        timeline = load_timeline(document)
        expected = one_call_per_dispense(knowledge, timeline, AUDIT_DATE)
        assert one_call(knowledge, timeline, AUDIT_DATE) == expected, document["patient"]["id"]
        policies.add(timeline.policy)
        injected.update([injection.kind] if injection else [])
        refused += sum(not decision["authorized"] for _, decision, _ in expected)
    assert policies == set(POLICIES)
    assert len(injected) >= 4 and refused > 0  # violations among the courses compared


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.json")), ids=lambda p: p.stem)
def test_every_programme_scenario_is_judged_alike(knowledge: Knowledge, path: Path) -> None:
    timeline = load_timeline(path.read_text(encoding="utf-8"))
    until = max((e.date for e in timeline.events), default=AUDIT_DATE)
    assert one_call(knowledge, timeline, until) == one_call_per_dispense(knowledge, timeline, until)


def _lab(
    event_id: str, day: str, test: str, value: float, unit: str, **more: Any
) -> dict[str, Any]:
    return {"id": event_id, "type": "lab_result", "date": day, "test": test, "value": value,
            "unit": unit, **more}  # fmt: skip


def _recorded_after(events: list[dict[str, Any]], event_id: str, *new: dict[str, Any]) -> None:
    at = next(i for i, e in enumerate(events) if e["id"] == event_id) + 1
    events[at:at] = list(new)


def held_course(policy: str) -> Timeline:
    """The three-fill US story with labs that hold it: a baseline entered after the first fill
    but dated before it, triglycerides in the pancreatitis band and a liver enzyme far above
    its limit before the second fill, a review that lifts the triglyceride hold, the enzyme
    amended after the second fill, a result in a unit that cannot express its test, a result
    in mmol/L voided after the last fill, and a PHQ-9 with a positive item 9."""
    data = json.loads(FULL_COURSE.read_text(encoding="utf-8"))
    data["policy"] = policy
    events: list[dict[str, Any]] = data["events"]
    _recorded_after(
        events, "disp1",
        _lab("alt0", "2024-01-30", "alt", 20, "U/L"),
        _lab("tg0", "2024-01-30", "triglycerides", 150, "mg/dL"),
    )  # fmt: skip
    _recorded_after(
        events, "pt3",
        _lab("tg1", "2024-03-01", "triglycerides", 1200, "mg/dL"),
        _lab("alt1", "2024-03-01", "alt", 260, "U/L", reference_high=40),
        _lab("ast1", "2024-03-02", "ast", 30, "mmol/L"),
        {"id": "mood1", "type": "mood_screen", "date": "2024-03-03",
         "item_scores": [1, 1, 1, 1, 1, 1, 1, 1, 2]},
        {"id": "rv1", "type": "alert_review", "date": "2024-03-05",
         "alert_id": "TG_PANCREATITIS_RISK:tg1", "outcome": "continue",
         "note": "non-fasting sample", "recorded_by": "dr-lee"},
    )  # fmt: skip
    _recorded_after(
        events, "disp2",
        {"id": "am1", "type": "amend", "date": "2024-03-20", "target_id": "alt1",
         "changes": {"value": 35}, "reason": "transcription error"},
        _lab("tg2", "2024-04-01", "triglycerides", 9.5, "mmol/L"),
    )  # fmt: skip
    _recorded_after(
        events, "disp3",
        {"id": "vd1", "type": "void", "date": "2024-04-10", "target_id": "tg2",
         "reason": "wrong patient"},
    )  # fmt: skip
    return load_timeline(data)


@pytest.mark.parametrize("policy", POLICIES)
def test_a_course_held_by_its_labs_is_judged_alike(knowledge: Knowledge, policy: str) -> None:
    timeline = held_course(policy)
    until = dt.date(2024, 12, 31)
    expected = one_call_per_dispense(knowledge, timeline, until)
    assert one_call(knowledge, timeline, until) == expected
    assert [d for d, _, _ in expected] == ["disp1", "disp2", "disp3"]
    assert any(decision["clinical_holds"] for _, decision, _ in expected)


def test_a_dispense_after_the_audit_day_is_not_judged(knowledge: Knowledge) -> None:
    timeline = held_course("us-ipledge-2023")
    judged = judge_dispenses(knowledge, timeline, dt.date(2024, 3, 31))
    assert [j.dispense.id for j in judged] == ["disp1", "disp2"]
