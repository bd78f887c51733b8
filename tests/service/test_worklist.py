"""The prescriber's today list read from worklist rows (issue 12), on SQLite and PostgreSQL.

Dr Lee looks after Maya and Jonas, Dr Patel after Lukas. Their courses were imported (no row
yet); the daily refresh writes the missing rows, each event rewrites its course's row in its own
transaction, and the list pages, searches and filters without running the engines.
"""

from __future__ import annotations

import datetime as dt

import pytest
from service_clinic import TODAY, Clinic

from isotrack.domain.errors import IsotrackInputError
from isotrack.domain.timeline import parse_event
from isotrack.engines.worklist import worklist_entry
from isotrack.service import courses
from isotrack.service.context import Service
from isotrack.service.recording import record_event
from isotrack.service.worklist import refresh_worklist, today_worklist


def _entry_by_engines(service: Service, clinic: Clinic, patient_id: str) -> object:
    course = courses.visible_course(service, clinic.users["dr.lee"], clinic.courses[patient_id].id)
    return worklist_entry(service.knowledge(), course.timeline(), TODAY)


def test_the_daily_refresh_writes_each_current_course_as_the_engines_judge_it(
    service: Service, clinic: Clinic
) -> None:
    assert refresh_worklist(service) == 3  # three imported courses, no row yet
    assert refresh_worklist(service) == 0  # nothing is a day behind

    lee = today_worklist(service, clinic.users["dr.lee"])
    assert lee.total == 2 and {r.patient_id for r in lee.rows} == {"demo-01", "demo-02"}
    for row in lee.rows:
        assert row.entry == _entry_by_engines(service, clinic, row.patient_id)
    urgencies = [r.entry.urgency for r in lee.rows]
    assert urgencies == sorted(urgencies)  # most urgent first
    # A designee sees her prescriber's list; another prescriber sees only his own patient.
    assert today_worklist(service, clinic.users["nurse.kim"]).total == 2
    assert [r.patient_id for r in today_worklist(service, clinic.users["dr.patel"]).rows] == [
        "demo-09"
    ]


def test_the_list_pages_searches_by_name_and_filters_by_status(
    service: Service, clinic: Clinic
) -> None:
    refresh_worklist(service)
    lee = clinic.users["dr.lee"]
    first = today_worklist(service, lee, page=1, page_size=1)
    second = today_worklist(service, lee, page=2, page_size=1)
    assert first.pages == 2 and len(first.rows) == len(second.rows) == 1
    assert first.rows[0].course_id != second.rows[0].course_id

    maya = next(r for r in first.rows + second.rows if r.patient_id == "demo-02")
    part_of_name = maya.patient_name.split()[0].upper()
    found = today_worklist(service, lee, q=part_of_name)
    assert "demo-02" in [r.patient_id for r in found.rows]
    assert today_worklist(service, lee, q="nobody-by-this-name").total == 0

    by_status = today_worklist(service, lee, filter=maya.entry.status)
    assert "demo-02" in [r.patient_id for r in by_status.rows]
    assert all(r.entry.status == maya.entry.status for r in by_status.rows)


def test_a_recorded_event_rewrites_its_course_row_in_the_same_transaction(
    service: Service, clinic: Clinic
) -> None:
    later = TODAY + dt.timedelta(days=1)
    service.today = lambda: later  # the event is recorded on the next day
    jonas = clinic.courses["demo-01"].id
    record_event(
        service, clinic.users["dr.lee"], jonas,
        parse_event({"id": "w-next", "type": "weight", "date": later.isoformat(),
                     "weight_kg": 71.0}),
    )  # fmt: skip
    rows = today_worklist(service, clinic.users["dr.lee"]).rows
    assert [r.entry.as_of for r in rows if r.course_id == jonas] == [later]


def test_a_list_asked_for_in_a_way_it_cannot_be_shown_names_the_field(
    service: Service, clinic: Clinic
) -> None:
    with pytest.raises(IsotrackInputError) as refused:
        today_worklist(service, clinic.users["dr.lee"], page=0, filter="urgent")
    assert {p.field for p in refused.value.problems} == {"page", "filter"}
