"""A course that goes out as FHIR and comes back must be judged exactly as before: the same
assessment (dose, programme, schedule, monitoring) on every day, naming the same event ids."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fhir_cases import check_days, every_event_course, read_scenario, scenario_paths

from isotrack.domain.events import EVENT_TYPES
from isotrack.domain.timeline import Timeline, effective_events
from isotrack.engines.assessment import assess
from isotrack.interop.fhir.convert import fhir_to_timeline, timeline_to_fhir
from isotrack.interop.fhir.registry import BY_EVENT_TYPE
from isotrack.knowledge import Knowledge, load_knowledge


@pytest.fixture(scope="module")
def knowledge() -> Knowledge:
    return load_knowledge()


def round_trip(knowledge: Knowledge, course: Timeline) -> Timeline:
    sent = timeline_to_fhir(knowledge, course).bundle
    received = fhir_to_timeline(knowledge, json.dumps(sent))  # through text, as on the wire
    assert received.timeline is not None, received.report.lines()
    return received.timeline


def assessments(knowledge: Knowledge, course: Timeline) -> list[str]:
    return [
        assess(knowledge, course, day).model_dump_json(by_alias=True) for day in check_days(course)
    ]


@pytest.mark.parametrize("path", scenario_paths(), ids=lambda p: p.stem)
def test_every_programme_scenario_is_judged_the_same_after_a_fhir_round_trip(
    knowledge: Knowledge, path: Path
) -> None:
    course = read_scenario(path)
    back = round_trip(knowledge, course)
    assert assessments(knowledge, back) == assessments(knowledge, course)
    assert back.to_json_dict() == course.to_json_dict()  # scenarios have no amendments


def test_a_course_with_every_event_type_keeps_its_decisions_and_ids(knowledge: Knowledge) -> None:
    course = every_event_course()
    back = round_trip(knowledge, course)
    assert assessments(knowledge, back) == assessments(knowledge, course)
    assert [e.id for e in back.events] == [e.id for e in course.events]
    assert effective_events(back) == effective_events(course)
    # the voided invalid test and the amended ALT value stand as they did
    alt = next(e for e in effective_events(back) if e.id == "alt_1")
    assert alt.value == 120  # type: ignore[attr-defined]
    assert "pt_3" not in {e.id for e in effective_events(back)}


def test_findings_name_the_same_event_ids_on_either_side(knowledge: Knowledge) -> None:
    course = every_event_course()
    back = round_trip(knowledge, course)
    day = check_days(course)[-1]
    before = assess(knowledge, course, day).monitoring.model_dump_json()
    after = assess(knowledge, back, day).monitoring.model_dump_json()
    assert before == after
    assert "alt_1" in before  # the ALT rise is reported against the event id the clinic wrote


def test_every_event_type_of_the_contract_has_a_mapping_or_is_reported() -> None:
    assert set(EVENT_TYPES) <= set(BY_EVENT_TYPE)


def test_what_fhir_cannot_carry_is_listed_not_dropped(knowledge: Knowledge) -> None:
    result = timeline_to_fhir(knowledge, every_event_course())
    carried_elsewhere = {f.where for f in result.report.not_carried}
    assert "event alt_1" in carried_elsewhere  # the value before the amendment
    assert "event ae_1" in carried_elsewhere  # AdverseEvent has no status to mark the void
