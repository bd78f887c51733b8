"""The timeline contract (isotrack.timeline/1): loading, rejecting, voiding and amending."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from isotrack.domain.errors import IsotrackInputError
from isotrack.domain.events import PrescriptionWritten, WeightMeasured
from isotrack.domain.timeline import (
    effective_events,
    events_of,
    load_timeline,
    timeline_json_schema,
)
from timeline_cases import patient, timeline_document


def course(*events: dict[str, Any]) -> dict[str, Any]:
    """A 24-year-old who can get pregnant, followed under the 2026 iPLEDGE edition."""
    ana = patient("pt-ana", "2002-03-14", "female", can_get_pregnant=True)
    return timeline_document(*events, policy="us-ipledge-2026", patient=ana)


WEIGHT = {"id": "w1", "type": "weight", "date": "2026-01-05", "weight_kg": 58.0}
RX = {
    "id": "rx1",
    "type": "prescription",
    "date": "2026-01-05",
    "product": "claravis",
    "daily_dose_mg": 30,
    "days_supply": 30,
}


def test_a_valid_course_loads_and_round_trips_through_json() -> None:
    timeline = load_timeline(course(WEIGHT, RX))

    again = load_timeline(json.dumps(timeline.to_json_dict()))

    assert again == timeline
    assert again.to_json_dict()["schema"] == "isotrack.timeline/1"


def test_a_bad_field_names_the_event_the_field_the_value_and_what_is_allowed() -> None:
    bad_rx = {**RX, "id": "rx-typo", "daily_dose_mg": -30}

    with pytest.raises(IsotrackInputError) as caught:
        load_timeline(course(WEIGHT, bad_rx))

    (problem,) = caught.value.problems
    assert problem.location == "event 'rx-typo'"
    assert problem.field == "daily_dose_mg"
    assert problem.value == -30
    assert "greater than 0" in problem.allowed


def test_an_unknown_event_type_lists_the_known_types() -> None:
    with pytest.raises(IsotrackInputError) as caught:
        load_timeline(course({"id": "x1", "type": "weigth", "date": "2026-01-05"}))

    (problem,) = caught.value.problems
    assert problem.field == "type"
    assert problem.value == "weigth"
    assert "weight" in problem.allowed and "pregnancy_test" in problem.allowed


def test_an_unknown_field_is_rejected_rather_than_dropped() -> None:
    with pytest.raises(IsotrackInputError) as caught:
        load_timeline(course({**WEIGHT, "weight_lb": 128}))

    assert caught.value.problems[0].field == "weight_lb"


def test_an_unreadable_lab_unit_still_loads_the_course() -> None:
    # Issue 11 item 4 changes this rule: one result that cannot be read never invalidates a
    # course. The timeline loads; the monitoring engine names the result as not checked.
    lab = {
        "id": "tg1",
        "type": "lab_result",
        "date": "2026-02-01",
        "test": "2571-8",
        "value": 180,
        "unit": "mg/dz",
    }

    loaded = load_timeline(course(lab))

    [event] = [e for e in loaded.events if e.id == "tg1"]
    assert getattr(event, "unit") == "mg/dz"  # noqa: B009 (the event union is typed per kind)


def test_duplicate_event_ids_are_rejected() -> None:
    with pytest.raises(IsotrackInputError, match="used twice"):
        load_timeline(course(WEIGHT, {**RX, "id": "w1"}))


def test_a_void_must_point_at_an_earlier_event() -> None:
    void = {"id": "v1", "type": "void", "date": "2026-01-06", "target_id": "rx9", "reason": "x"}

    with pytest.raises(IsotrackInputError, match="earlier event"):
        load_timeline(course(WEIGHT, void))


def test_a_voided_event_disappears_and_voiding_the_void_restores_it() -> None:
    void = {
        "id": "v1",
        "type": "void",
        "date": "2026-01-06",
        "target_id": "rx1",
        "reason": "written for the wrong patient",
    }
    unvoid = {
        "id": "v2",
        "type": "void",
        "date": "2026-01-07",
        "target_id": "v1",
        "reason": "the void itself was a mistake",
    }

    voided = effective_events(load_timeline(course(WEIGHT, RX, void)))
    restored = effective_events(load_timeline(course(WEIGHT, RX, void, unvoid)))

    assert [e.id for e in voided] == ["w1"]
    assert [e.id for e in restored] == ["w1", "rx1"]


def test_an_amendment_replaces_fields_and_is_itself_validated() -> None:
    amend = {
        "id": "a1",
        "type": "amend",
        "date": "2026-01-06",
        "target_id": "w1",
        "changes": {"weight_kg": 85.0},
        "reason": "scale read in the wrong unit",
    }
    bad_amend = {**amend, "id": "a2", "changes": {"weight_kg": -1}}

    (weight,) = events_of(effective_events(load_timeline(course(WEIGHT, amend))), WeightMeasured)

    assert weight.weight_kg == 85.0
    with pytest.raises(IsotrackInputError, match="would make it invalid"):
        load_timeline(course(WEIGHT, bad_amend))


def test_an_amendment_cannot_change_an_events_identity() -> None:
    amend = {
        "id": "a1",
        "type": "amend",
        "date": "2026-01-06",
        "target_id": "w1",
        "changes": {"type": "dispense"},
        "reason": "x",
    }

    with pytest.raises(IsotrackInputError):
        load_timeline(course(WEIGHT, amend))


def test_effective_events_are_in_date_order_whatever_the_recording_order() -> None:
    late_weight = {**WEIGHT, "id": "w0", "date": "2025-12-20"}

    events = effective_events(load_timeline(course(RX, late_weight)))

    assert [e.id for e in events] == ["w0", "rx1"]
    assert isinstance(events[1], PrescriptionWritten)


def test_age_is_counted_in_completed_years() -> None:
    ana = load_timeline(course()).patient

    assert ana.age_years_on(dt.date(2026, 3, 13)) == 23
    assert ana.age_years_on(dt.date(2026, 3, 14)) == 24


def test_the_json_schema_describes_every_event_type() -> None:
    schema = timeline_json_schema()
    text = json.dumps(schema)

    assert schema["title"].startswith("isotrack course timeline")
    for event_type in ("weight", "prescription", "pregnancy_test", "void", "amend"):
        assert f'"const": "{event_type}"' in text
