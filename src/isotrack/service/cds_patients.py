"""Finding the isotrack course of an EHR's Patient, and what the cards need to know about it.

A course imported from a FHIR bundle keeps the Patient's logical id as its patient id (and
writes it back as an identifier of the isotrack patient-id system), so an EHR call naming
``Patient/<id>``, or a Patient carrying that identifier, finds the same course.

A card needs three engine answers (dose, programme, monitoring), not the whole assessment: the
PK curve, response and schedule behind the course page are left out. Each process keeps the
answers of the last courses it saw, keyed by the course's version (its last event sequence) and
the day, so an EHR calling order-select and then order-sign for the same patient pays for the
engines once, and any new event makes the next call compute afresh.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from isotrack.domain.events import PrescriptionWritten
from isotrack.domain.timeline import Timeline
from isotrack.engines.dose import DoseProgress, evaluate_dose
from isotrack.engines.monitoring import MonitoringReport, evaluate_monitoring
from isotrack.engines.prescribing import PrescriptionCheck, check_prescription
from isotrack.engines.programme import ProgrammeReport, evaluate_programme
from isotrack.engines.snapshot import course_snapshot
from isotrack.knowledge import Knowledge
from isotrack.service.context import Service
from isotrack.store.courses import NotFound, latest_course_of_patient, read_course

COURSES_KEPT = 256
ORDER_CHECKS_KEPT = 1024

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class _Kept(Generic[K, V]):
    """The last ``size`` answers, least recently used dropped first; safe across threads."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._entries: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_make(self, key: K, make: Callable[[], V]) -> V:
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        value = make()  # outside the lock: two threads may both compute, both get the same
        with self._lock:
            self._entries[key] = value
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
        return value


# (database, course, course version, day, clinic settings in force)
CourseKey = tuple[str | None, str, int, dt.date, int]


@dataclass(frozen=True, eq=False)
class EhrCourse:
    """An EHR patient's course as the cards read it on ``as_of``."""

    key: CourseKey
    course_id: str
    # the clinic's knowledge base the answers were worked out with (its settings stamp is in
    # ``key``); the cards and the order check of the same call read the same one
    knowledge: Knowledge
    timeline: Timeline
    as_of: dt.date
    dose: DoseProgress
    programme: ProgrammeReport
    monitoring: MonitoringReport

    @property
    def knowledge_key(self) -> tuple[str | None, int]:
        """Names the knowledge base the answers used: the database and its settings change."""
        return self.key[0], self.key[4]


_courses: _Kept[CourseKey, EhrCourse] = _Kept(COURSES_KEPT)
_order_checks: _Kept[tuple[CourseKey, str], PrescriptionCheck] = _Kept(ORDER_CHECKS_KEPT)


def _located(
    service: Service, fhir_patient_id: str | None, identifiers: Iterable[str]
) -> tuple[str, tuple[str, int]] | None:
    """The patient id found and the patient's latest course with its version, found by the
    FHIR id first, then by any identifier value of the isotrack patient-id system (one
    statement each, on the event loop's own connection)."""
    with service.database.direct() as reader:
        for patient_id in (fhir_patient_id, *identifiers):
            if patient_id:
                found = latest_course_of_patient(reader, patient_id)
                if found is not None:
                    return patient_id, found
    return None


def _read(service: Service, key: CourseKey, knowledge: Knowledge) -> EhrCourse:
    with service.database.direct() as reader:
        timeline = read_course(reader, key[1]).timeline()
    as_of = key[3]
    course_snapshot(timeline, as_of)  # built once, read by the three engines
    return EhrCourse(
        key=key, course_id=key[1], knowledge=knowledge, timeline=timeline, as_of=as_of,
        dose=evaluate_dose(knowledge, timeline, as_of),
        programme=evaluate_programme(knowledge, timeline, as_of),
        monitoring=evaluate_monitoring(knowledge, timeline, as_of),
    )  # fmt: skip


@dataclass(frozen=True)
class EhrPatient:
    """The isotrack patient an EHR's call is about, and their latest course as it stands."""

    patient_id: str
    course_id: str
    version: int


def ehr_patient(
    service: Service, fhir_patient_id: str | None, identifiers: Iterable[str] = ()
) -> EhrPatient | None:
    """The patient of an EHR's call and their latest course; None when isotrack does not know
    them. Reading the cards for it is a disclosure to the client: the caller notes it in the
    access log (``CallJournal``) before answering."""
    located = _located(service, fhir_patient_id, identifiers)
    if located is None:
        return None
    patient_id, (course_id, version) = located
    return EhrPatient(patient_id, course_id, version)


def course_answers(service: Service, patient: EhrPatient) -> EhrCourse | None:
    """The course read as of today, its answers kept for the next call on the same version
    (a course changed since it was last read has a new version, and is read again)."""
    knowledge, settings_stamp = service.knowledge_in_force()
    key: CourseKey = (
        service.settings.database_url, patient.course_id, patient.version, service.today(),
        settings_stamp,
    )  # fmt: skip
    try:
        return _courses.get_or_make(key, lambda: _read(service, key, knowledge))
    except NotFound:  # removed between the two reads
        return None


def order_check(course: EhrCourse, draft: PrescriptionWritten) -> PrescriptionCheck:
    """The order-entry check of a draft order on the course (the same draft asked about twice,
    as order-select and then order-sign do, is checked once)."""
    key = (course.key, draft.model_dump_json())
    return _order_checks.get_or_make(
        key, lambda: check_prescription(course.knowledge, course.timeline, draft, course.as_of)
    )
