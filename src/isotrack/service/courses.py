"""Reading courses and patients: what a caller may see, else "not found".

:func:`visible_course` is the one place where "the course you may see, else 404" is decided;
every read of a course, from the API, the pages or the pharmacy, goes through it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from isotrack.domain.errors import RecordNotFound
from isotrack.domain.event_status import EventStatus, event_statuses
from isotrack.domain.timeline import Timeline
from isotrack.engines.assessment import Assessment, assess
from isotrack.engines.programme import home_test_accepted
from isotrack.engines.schedule import Schedule, build_schedule
from isotrack.service.access import Action, not_found, require, require_patient
from isotrack.service.context import Service
from isotrack.service.disclosures import AccessAction, emergency_reach, record_access
from isotrack.store.courses import (
    CourseHeader,
    NotFound,
    StoredCourse,
    StoredEvent,
    read_course,
    read_header,
)
from isotrack.store.courses import courses_of_patient as _courses_of_patient
from isotrack.store.patients import CourseSummary, PatientRecord, patient_record, patients_in_care
from isotrack.store.users import Role, User

__all__ = [
    "CourseHeader",
    "CourseSummary",
    "PatientRecord",
    "StoredCourse",
    "StoredEvent",
    "course_assessment",
    "course_schedule",
    "events_with_status",
    "home_test_allowed",
    "my_current_course_id",
    "my_patients",
    "patient_name",
    "visible_course",
    "visible_course_header",
    "visible_patient",
]


def _check_reach(service: Service, user: User, action: Action, header: CourseHeader) -> None:
    # Out of reach answers exactly as a course that does not exist: naming the course asked
    # for, never its patient (issue 16: the answer told another clinic's patient exists).
    try:
        require_patient(user, action, header.patient_id, header.prescriber_user_id)
    except RecordNotFound:
        if not emergency_reach(service, user, action, header.patient_id):
            raise not_found(header.id) from None
    # The one place a course's record is granted: the accounting of disclosures.
    kind: AccessAction = "change" if action is Action.APPEND_EVENT else "read"
    record_access(service, user, header.patient_id, header.id, kind)


def visible_course(
    service: Service, user: User, course_id: str, action: Action = Action.READ_COURSE
) -> StoredCourse:
    """The whole course if ``user`` may do ``action`` on it; :class:`RecordNotFound` when it
    does not exist or is out of reach (the two are not told apart), :class:`ActionNotAllowed`
    when the role may never do ``action``."""
    with service.database.reading() as connection:
        try:
            course = read_course(connection, course_id)
        except NotFound:
            require(user, action)
            raise not_found(course_id) from None
    _check_reach(service, user, action, course.header)
    return course


def visible_course_header(
    service: Service, user: User, course_id: str, action: Action = Action.READ_COURSE
) -> CourseHeader:
    """The same check as :func:`visible_course`, reading only the course's header."""
    with service.database.reading() as connection:
        try:
            header = read_header(connection, course_id)
        except NotFound:
            require(user, action)
            raise not_found(course_id) from None
    _check_reach(service, user, action, header)
    return header


def visible_patient(
    service: Service, user: User, patient_id: str, action: Action = Action.READ_PATIENT
) -> PatientRecord:
    """The patient with their courses if in ``user``'s reach, else :class:`RecordNotFound`."""
    with service.database.reading() as connection:
        record = patient_record(connection, patient_id)
    if record is None:
        require(user, action)
        raise not_found(patient_id)
    require_patient(user, action, record.id, record.prescriber_user_id)
    record_access(service, user, record.id, None, "read")
    return record


def my_patients(service: Service, user: User) -> list[PatientRecord]:
    """The patients in the care of the user's prescriber (a designee's is their prescriber)."""
    require(user, Action.LIST_PATIENTS)
    with service.database.reading() as connection:
        return patients_in_care(connection, user.care_prescriber_id or "")


def my_current_course_id(service: Service, user: User) -> str:
    """A patient's own latest course; :class:`RecordNotFound` when they have none."""
    require(user, Action.READ_COURSE)
    if user.role is not Role.PATIENT or not user.patient_id:
        raise not_found("your course")
    with service.database.reading() as connection:
        headers = _courses_of_patient(connection, user.patient_id)
    if not headers:
        raise not_found("your course")
    return headers[-1].id


def patient_name(service: Service, patient_id: str) -> str:
    """The display name of a patient whose course the caller already may see."""
    with service.database.reading() as connection:
        record = patient_record(connection, patient_id)
    return record.display_name if record else patient_id


def course_assessment(
    service: Service, user: User, course_id: str, as_of: dt.date | None = None
) -> tuple[StoredCourse, Assessment]:
    course = visible_course(service, user, course_id)
    return course, assess(service.knowledge(), course.timeline(), as_of or service.today())


def course_schedule(
    service: Service, user: User, course_id: str, as_of: dt.date | None = None
) -> Schedule:
    course = visible_course(service, user, course_id)
    return build_schedule(service.knowledge(), course.timeline(), as_of or service.today())


@dataclass(frozen=True)
class EventWithStatus:
    stored: StoredEvent
    status: EventStatus


def events_with_status(service: Service, user: User, course_id: str) -> tuple[
    StoredCourse, list[EventWithStatus]
]:  # fmt: skip
    """The event log as recorded, each event with where it stands after corrections."""
    course = visible_course(service, user, course_id)
    statuses = event_statuses(course.timeline().events)
    return course, [EventWithStatus(s, statuses[s.event_id]) for s in course.events]


def home_test_allowed(service: Service, timeline: Timeline, on: dt.date) -> bool:
    """True when the course's policy accepts a home pregnancy test from the patient on ``on``."""
    if not timeline.patient.can_get_pregnant:
        return False
    return home_test_accepted(service.knowledge(), timeline, on)
