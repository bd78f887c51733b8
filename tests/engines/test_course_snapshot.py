"""The course snapshot: one reading of a course per day, the same one every engine made alone.

Each engine used to read the effective events, the treatment period and the category itself.
The snapshot must say exactly what they said, on every day of every programme scenario, and a
correction (void, amendment) must be applied in it the same way. Kept with its timeline, it must
never outlive the events it was read from.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from isotrack.domain.events import (
    ContraceptionRecorded,
    Dispensed,
    PregnancyTestTaken,
    PrescriptionWritten,
)
from isotrack.domain.timeline import Timeline, effective_events, load_timeline
from isotrack.engines.assessment import assess
from isotrack.engines.course_events import category_on
from isotrack.engines.monitoring.course import course_view
from isotrack.engines.programme import evaluate_programme
from isotrack.engines.programme.course import CourseRecord
from isotrack.engines.schedule import build_schedule
from isotrack.engines.snapshot import course_snapshot
from isotrack.engines.treatment_period import treatment_period
from isotrack.knowledge import Knowledge
from timeline_cases import event, patient, timeline

SCENARIOS = sorted(
    (Path(__file__).resolve().parent.parent / "programme" / "scenarios").glob("*.json")
)


def _fresh(path: Path) -> Timeline:
    return load_timeline(path.read_text(encoding="utf-8"))


def _days(record: Timeline) -> list[dt.date]:
    """Every event day of the course, and the days either side of it."""
    dates = {e.date for e in record.events}
    return sorted({d + dt.timedelta(days=k) for d in dates for k in (-1, 0, 1)})


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_snapshot_reads_each_day_as_the_engines_did(path: Path) -> None:
    course = _fresh(path)
    # What every engine computed on its own before the snapshot (from another copy of the
    # course, so nothing the first one keeps is reused): corrections resolved, then the events
    # up to the day, the period from the whole record.
    recorded = effective_events(_fresh(path))
    for day in _days(course):
        snapshot = course_snapshot(course, day)
        events = tuple(e for e in recorded if e.date <= day)
        assert snapshot.recorded == recorded
        assert snapshot.events == events, day
        assert snapshot.period == treatment_period(recorded, day), day
        value, ids = category_on(course, events)
        assert snapshot.category == (value, tuple(ids)), day

        record = CourseRecord.of(course, day)  # the programme's own reading
        assert list(snapshot.prescriptions) == record.prescriptions
        assert list(snapshot.dispenses) == record.dispenses
        assert list(snapshot.pregnancy_tests) == record.tests
        assert list(snapshot.contraception) == record.contraception
        assert list(snapshot.assessments) == record.assessments
        assert snapshot.supply_runs_out == record.supply_runs_out
        for prescription in record.prescriptions:
            assert snapshot.dispense_of(prescription.id) == record.dispense_of(prescription.id)

        view = course_view(course, day)  # the monitoring engine's own reading
        assert view.events == snapshot.events and view.period == snapshot.period
        assert view.can_get_pregnant == snapshot.can_get_pregnant


def test_voided_test_is_absent_and_an_amended_weight_carries_its_new_value() -> None:
    course = timeline(
        event("w1", "weight", "2026-01-02", weight_kg=82.5),
        event(
            "pt1",
            "pregnancy_test",
            "2026-01-03",
            result="negative",
            kind="urine",
            setting="medical",
        ),
        event(
            "fix",
            "amend",
            "2026-01-04",
            target_id="w1",
            changes={"weight_kg": 80.0},
            reason="scale read wrongly",
        ),
        event("v1", "void", "2026-01-05", target_id="pt1", reason="wrong patient"),
        policy="eu-ppp-2018",
        patient=patient("pt-ana", "1999-02-03", "female", can_get_pregnant=True),
    )
    snapshot = course_snapshot(course, dt.date(2026, 2, 1))
    assert snapshot.of_type(PregnancyTestTaken) == ()  # a voided test never counts as negative
    assert [w.weight_kg for w in snapshot.weights] == [80.0]
    assert "v1" not in snapshot.by_id and "fix" not in snapshot.by_id
    assert snapshot.can_get_pregnant and snapshot.category[1] == ()  # from the patient record


def test_typed_lists_keep_date_order_and_stop_at_the_day() -> None:
    course = load_timeline(SCENARIOS[0].read_text(encoding="utf-8"))
    last = max(e.date for e in course.events)
    snapshot = course_snapshot(course, last)
    for kind in (PrescriptionWritten, Dispensed, ContraceptionRecorded):
        found = snapshot.of_type(kind)
        assert all(isinstance(e, kind) for e in found)
        assert [e.date for e in found] == sorted(e.date for e in found)
    early = course_snapshot(course, min(e.date for e in course.events) - dt.timedelta(days=1))
    assert early.events == () and early.prescriptions == ()


def test_one_snapshot_per_day_is_shared_and_dropped_when_the_events_change() -> None:
    course = _fresh(SCENARIOS[0])
    day = max(e.date for e in course.events)
    assert course_snapshot(course, day) is course_snapshot(course, day)
    assert course_snapshot(course, day).patient == course.patient
    shorter = course.model_copy(update={"events": course.events[:3]})
    assert len(course_snapshot(shorter, day).recorded) <= 3
    # Kept beside the fields, never part of them: equality and the JSON are unchanged.
    assert course == _fresh(SCENARIOS[0])
    assert course.to_json_dict() == _fresh(SCENARIOS[0]).to_json_dict()


def test_assess_builds_the_schedule_from_its_one_programme_report(knowledge: Knowledge) -> None:
    for path in SCENARIOS:
        data = json.loads(path.read_text(encoding="utf-8"))
        day = dt.date.fromisoformat(max(e["date"] for e in data["events"]))
        assessment = assess(knowledge, _fresh(path), day)
        assert assessment.programme == evaluate_programme(knowledge, _fresh(path), day)
        assert assessment.schedule == build_schedule(knowledge, _fresh(path), day), path.stem
