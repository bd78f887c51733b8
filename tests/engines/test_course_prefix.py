"""What a course's prefixes share, and what they never share.

The audit judges each dispense on the course as recorded before it; ``course_prefix`` cuts that
record so that what one event alone decides (how a lab result reads, say) is worked out once
for the course. These cases pin the limits: only prefixes cut from a course share its answers,
an answer is kept per knowledge base, and a prefix's effective events are those it would
resolve on its own.
"""

from __future__ import annotations

import json
from pathlib import Path

from isotrack.domain.timeline import effective_events, load_timeline, recorded_before
from isotrack.engines.course_prefix import course_prefix, per_event, shared_answers
from isotrack.knowledge import Knowledge, parse_knowledge
from isotrack.knowledge.loader import read_data_files

SCENARIOS = Path(__file__).parent.parent / "programme" / "scenarios"


def _course(name: str = "us2023-cgp-full-course.json") -> dict[str, object]:
    loaded: dict[str, object] = json.loads((SCENARIOS / name).read_text(encoding="utf-8"))
    return loaded


def test_a_prefix_shares_the_course_answers_and_a_copy_does_not() -> None:
    course = load_timeline(_course())
    before_second_fill = course_prefix(course, 14)
    assert shared_answers(before_second_fill) is shared_answers(course)
    copied = course.model_copy(update={"events": course.events[:14]})
    assert shared_answers(copied) is not shared_answers(course)


def test_an_answer_is_kept_per_knowledge_base(knowledge: Knowledge) -> None:
    course = load_timeline(_course())
    other = parse_knowledge(read_data_files())  # another base, as a clinic's overlay makes
    event = course.events[0]
    answers = shared_answers(course)
    built: list[str] = []
    for base in (knowledge, knowledge, other):
        per_event(answers, base, "test", event, lambda: built.append("built") or len(built))
    assert built == ["built", "built"]  # once per knowledge base, not once per call


def test_a_prefix_reads_the_effective_events_it_would_resolve_itself() -> None:
    course = load_timeline(_course())
    # The lab result recorded last is dated first: a prefix keeps date order without it.
    data = _course()
    events = data["events"]
    assert isinstance(events, list)
    events.append({"id": "alt0", "type": "lab_result", "date": "2024-01-30", "test": "alt",
                   "value": 20, "unit": "U/L"})  # fmt: skip
    late = load_timeline(data)
    for timeline in (course, late):
        for end in range(len(timeline.events) + 1):
            prefix = recorded_before(timeline, end)
            alone = timeline.model_copy(update={"events": timeline.events[:end]})
            assert effective_events(prefix) == effective_events(alone)


def test_a_corrected_course_resolves_each_prefix_on_its_own() -> None:
    course = load_timeline(_course("us2023-cgp-voided-test.json"))
    assert any(e.type == "void" for e in course.events)
    for end in range(len(course.events) + 1):
        prefix = recorded_before(course, end)
        alone = course.model_copy(update={"events": course.events[:end]})
        assert effective_events(prefix) == effective_events(alone)
