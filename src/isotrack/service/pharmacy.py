"""What a pharmacist finds: a patient's prescriptions, dispenses and recorded decisions.

The pharmacy reaches any patient (a pharmacy serves whoever brings a prescription) but sees
only prescriptions, dispenses and decisions, never the clinical record.
"""

from __future__ import annotations

from dataclasses import dataclass

from isotrack.domain.events import Dispensed, EventBase, PrescriptionWritten
from isotrack.domain.timeline import effective_events, events_of
from isotrack.service.access import Action, require
from isotrack.service.context import Service
from isotrack.service.courses import visible_patient
from isotrack.store.authorizations import (
    AuthorizationRecord,
    authorization_by_code,
    authorizations_of_course,
)
from isotrack.store.courses import CourseHeader, courses_of_patient, read_course, read_header
from isotrack.store.patients import patient_record
from isotrack.store.users import User


@dataclass(frozen=True)
class PharmacyCourse:
    """One course as the pharmacy sees it: prescriptions and dispenses newest last."""

    header: CourseHeader
    patient_name: str
    prescriptions: list[PrescriptionWritten]
    dispenses: list[Dispensed]
    decisions: list[AuthorizationRecord]  # oldest first


def _pharmacy_course(
    header: CourseHeader, name: str, timeline_events: tuple[EventBase, ...],
    decisions: list[AuthorizationRecord],
) -> PharmacyCourse:  # fmt: skip
    return PharmacyCourse(
        header=header,
        patient_name=name,
        prescriptions=events_of(timeline_events, PrescriptionWritten),
        dispenses=events_of(timeline_events, Dispensed),
        decisions=decisions,
    )


@dataclass(frozen=True)
class PharmacyPatient:
    id: str
    display_name: str
    courses: list[PharmacyCourse]


def prescriptions_of_patient(service: Service, user: User, patient_id: str) -> PharmacyPatient:
    """Every course of the patient with its prescriptions, dispenses and decisions."""
    record = visible_patient(service, user, patient_id, Action.FIND_PRESCRIPTIONS)
    found = []
    with service.database.reading() as connection:
        for summary in record.courses:
            course = read_course(connection, summary.id)
            found.append(
                _pharmacy_course(
                    course.header, record.display_name,
                    effective_events(course.timeline()),
                    authorizations_of_course(connection, summary.id),
                )
            )  # fmt: skip
    return PharmacyPatient(record.id, record.display_name, found)


def find_for_dispense(service: Service, user: User, query: str) -> list[PharmacyCourse]:
    """Courses matching a patient identifier or an authorization code (exact, any case),
    newest first."""
    require(user, Action.FIND_PRESCRIPTIONS)
    text = query.strip()
    if not text:
        return []
    found = []
    with service.database.reading() as connection:
        headers: list[CourseHeader] = []
        record = patient_record(connection, text)
        if record is not None:
            headers = courses_of_patient(connection, record.id)
        else:
            authorization = authorization_by_code(connection, text)
            if authorization is not None:
                headers = [read_header(connection, authorization.course_id)]
        for header in reversed(headers):
            course = read_course(connection, header.id)
            named = patient_record(connection, header.patient_id)
            found.append(
                _pharmacy_course(
                    header, named.display_name if named else header.patient_id,
                    effective_events(course.timeline()),
                    authorizations_of_course(connection, header.id),
                )
            )  # fmt: skip
    return found
