"""An override in the EHR moves the course on the prescriber's today list at once (issues 12
and 13): the ``alert_review`` it records is an event like any other, so the course's worklist
row is rewritten in the same transaction, not at the next daily refresh."""

from __future__ import annotations

from typing import Any

import httpx
from cds_support import TODAY, order_sign
from conftest import CdsClinic
from sqlalchemy import select

from isotrack.engines.worklist import worklist_entry
from isotrack.knowledge import load_knowledge
from isotrack.service.queue_line import queue_line
from isotrack.store.courses import read_course
from isotrack.store.tables import worklist
from isotrack.store.worklist import save_entry

VIEW = "isotrack-patient-view"


def _row(clinic: CdsClinic, course_id: str) -> Any:
    with clinic.database.reading() as connection:
        return connection.execute(select(worklist).where(worklist.c.course_id == course_id)).one()


def test_overriding_a_clinical_hold_in_the_ehr_lifts_it_from_the_today_list_row(
    cds_clinic: CdsClinic,
) -> None:
    # Daniel: ALT 3.5 x ULN on 9 October holds his course (hepatotoxicity hold rule). The daily
    # refresh has written his row: one open hold, since 9 October.
    knowledge = load_knowledge()
    course_id = cds_clinic.courses["demo-14"]
    with cds_clinic.database.writing() as connection:
        timeline = read_course(connection, course_id).timeline()
        waiting = queue_line(knowledge, connection, course_id, timeline, TODAY)
        save_entry(connection, course_id, worklist_entry(knowledge, timeline, TODAY), waiting)
    before = _row(cds_clinic, course_id)
    assert before.open_holds == 1 and before.hold_since is not None

    # Dr Lee sees the hold card in the EHR and overrides it: a repeat ALT was normal elsewhere.
    body = order_sign("demo-14", [])
    body.update(hook="patient-view", context={"userId": "Practitioner/dr-lee",
                                              "patientId": "demo-14"})  # fmt: skip
    url = cds_clinic.url(VIEW)
    cards = httpx.post(url, json=body, headers=cds_clinic.ehr.auth(url), timeout=10).json()
    hold = next(c for c in cards["cards"] if c["summary"].startswith("Clinical hold"))
    feedback_url = cds_clinic.url(VIEW, feedback=True)
    feedback = {"feedback": [{
        "card": hold["uuid"], "outcome": "overridden",
        "overrideReason": {"userComment": "repeat ALT normal at the outside lab"},
        "outcomeTimestamp": "2026-10-15T10:00:00Z",
    }]}  # fmt: skip
    answer = httpx.post(feedback_url, json=feedback, timeout=10,
                        headers=cds_clinic.ehr.auth(feedback_url))  # fmt: skip
    assert answer.status_code == 200, answer.text
    assert len(answer.json()["feedback"][0]["recorded"]) == 1

    # A reviewed hold no longer holds (the prescriber decided to continue): the row, as read
    # right after the answer, is the engines' entry for the course with the review in it.
    after = _row(cds_clinic, course_id)
    with cds_clinic.database.reading() as connection:
        reviewed = read_course(connection, course_id).timeline()
    expected = worklist_entry(knowledge, reviewed, TODAY)
    assert after.open_holds == expected.open_holds == 0
    assert after.hold_since is None
    assert (after.status, after.open_alerts) == (expected.status, expected.open_alerts)
