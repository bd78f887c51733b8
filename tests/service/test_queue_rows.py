"""The pharmacy's queue read from the worklist rows (issues 12 and 17), on SQLite and
PostgreSQL.

Maya (demo-02) has a prescription from Dr Lee waiting at the pharmacy; Jonas's and Lukas's were
all filled. The queue is built from each course's row, which moves with every event in the
event's own transaction and with the calendar in the daily refresh: a dispense takes Maya off
the queue, Dr Lee's next prescription puts her back, and a dispensing window that closes
overnight shows as "do not dispense" once the refresh has run. Opening the queue decides
nothing: the pharmacist's check still decides from every fact.
"""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from service_clinic import TODAY, Clinic

from isotrack.domain.errors import IsotrackInputError
from isotrack.engines.programme import decide_dispense
from isotrack.service import courses, dispensing, pharmacy_queue
from isotrack.service.context import Service
from isotrack.service.prescribing import PrescriptionRequest, write_prescription
from isotrack.service.worklist import refresh_worklist
from isotrack.store.queue_rows import page_of_queue


def _queue(service: Service, clinic: Clinic) -> list[pharmacy_queue.WaitingPrescription]:
    return pharmacy_queue.waiting_prescriptions(service, clinic.users["pharmacist"]).rows


def _stored_rows(service: Service) -> dict[str, tuple[dt.date, bool]]:
    """Patient id -> (the day the row was worked out, may be dispensed), as stored."""
    with service.database.reading() as connection:
        rows, _ = page_of_queue(connection, offset=0, limit=100)
    return {
        r.patient_id: (r.as_of, '"authorized":true' in r.decision_json.replace(" ", ""))
        for r in rows
    }


def _fill(service: Service, clinic: Clinic, patient_id: str) -> None:
    pharmacist = clinic.users["pharmacist"]
    record, _ = asyncio.run(
        dispensing.decide_dispense(service, pharmacist, clinic.courses[patient_id].id, None)
    )
    assert record.authorized
    dispensing.record_dispense(
        service, pharmacist, record.code, dispensed_on=TODAY.isoformat(),
        days_supply=str(record.max_days_supply),
    )  # fmt: skip


def test_each_line_is_the_decision_the_engine_gives_today_for_that_prescription(
    service: Service, clinic: Clinic
) -> None:
    [maya] = _queue(service, clinic)  # the imported courses' rows are written on first use
    timeline = courses.visible_course(service, clinic.users["dr.lee"], maya.course_id).timeline()
    live = decide_dispense(service.knowledge(), timeline, TODAY, maya.prescription.id)
    assert maya.decision == live


def test_a_dispense_takes_the_prescription_off_the_queue_and_a_new_one_puts_it_back(
    service: Service, clinic: Clinic
) -> None:
    assert [w.patient_id for w in _queue(service, clinic)] == ["demo-02"]

    _fill(service, clinic, "demo-02")
    # The dispense rewrote Maya's row in its own transaction: nothing waits any more.
    assert _stored_rows(service) == {}
    assert _queue(service, clinic) == []

    # Dr Lee writes the next month's prescription (Maya's programme is met today).
    write_prescription(
        service, clinic.users["dr.lee"], clinic.courses["demo-02"].id,
        PrescriptionRequest(
            {"id": "rx-next", "date": TODAY.isoformat(), "product": "claravis",
             "daily_dose_mg": 40, "days_supply": 30},
            confirm_warnings=True,
        ),
    )  # fmt: skip
    # The prescription's own transaction wrote the row that puts her back on the queue.
    assert list(_stored_rows(service)) == ["demo-02"]
    [back] = _queue(service, clinic)
    assert back.prescription.id == "rx-next" and back.prescription.days_supply == 30
    assert back.prescriber_name == clinic.users["dr.lee"].display_name


def test_a_window_that_closes_overnight_shows_after_the_daily_refresh(
    service: Service, clinic: Clinic
) -> None:
    [maya] = _queue(service, clinic)
    assert maya.decision is not None and maya.decision.authorized
    last_day = maya.decision.dispense_by
    assert last_day is not None
    assert _stored_rows(service)["demo-02"] == (TODAY, True)

    after = last_day + dt.timedelta(days=1)
    service.today = lambda: after  # the night after the last day of the window
    # Until the daily refresh runs, the stored row is yesterday's (the queue page itself
    # rewrites rows a day behind before showing them: see the test below).
    assert _stored_rows(service)["demo-02"] == (TODAY, True)
    assert refresh_worklist(service) >= 1
    assert _stored_rows(service)["demo-02"] == (after, False)
    [closed] = _queue(service, clinic)
    assert closed.decision is not None and not closed.decision.authorized
    # The programme's rule that the window has closed is named to the pharmacist.
    assert closed.decision.reasons


def test_the_queue_rewrites_a_row_a_day_behind_before_showing_it(
    service: Service, clinic: Clinic
) -> None:
    [maya] = _queue(service, clinic)
    assert maya.decision is not None and maya.decision.dispense_by is not None
    after = maya.decision.dispense_by + dt.timedelta(days=1)
    service.today = lambda: after  # the daily task has not run yet
    [closed] = _queue(service, clinic)
    assert closed.decision is not None and not closed.decision.authorized


def test_the_queue_pages_and_refuses_a_page_it_cannot_show(
    service: Service, clinic: Clinic
) -> None:
    first = pharmacy_queue.waiting_prescriptions(
        service, clinic.users["pharmacist"], page=1, page_size=1
    )
    assert (first.total, first.pages, len(first.rows)) == (1, 1, 1)
    beyond = pharmacy_queue.waiting_prescriptions(
        service, clinic.users["pharmacist"], page=2, page_size=1
    )
    assert beyond.rows == [] and beyond.total == 1
    with pytest.raises(IsotrackInputError) as refused:
        pharmacy_queue.waiting_prescriptions(
            service, clinic.users["pharmacist"], page=0, page_size=500
        )
    assert {p.field for p in refused.value.problems} == {"page", "page_size"}
