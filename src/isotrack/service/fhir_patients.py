"""Finding the course an EHR's FHIR call is about: by the Patient's logical id or any of its
identifiers, through the same "course you may see, else not found" rule as every read.

A course imported from a FHIR Bundle keeps the Patient's logical id (and the Patient's other
identifiers) as external identifiers of the isotrack patient (``isotrack import --format
fhir``), so that a later ``$everything`` or ``$rems-etasu`` about that Patient finds it.
"""

from __future__ import annotations

from collections.abc import Iterable

from isotrack.service.access import Action, not_found, require
from isotrack.service.context import Service
from isotrack.service.courses import StoredCourse, visible_course
from isotrack.store.courses import courses_of_patient
from isotrack.store.patient_identifiers import identifiers_of, patient_by_identifier
from isotrack.store.patients import patient_record
from isotrack.store.users import User

__all__ = [
    "FHIR_LOGICAL_ID_SYSTEM",
    "fhir_patient_identifiers",
    "find_course_by_fhir_patient",
    "find_course_by_identifier",
    "identifiers_of_course",
]

# The system under which a FHIR Patient's logical id is kept when the server it came from is
# not known (a Bundle read from a file). With a server base, the system is ``<base>/Patient``.
FHIR_LOGICAL_ID_SYSTEM = "urn:isotrack:fhir-patient-logical-id"


def logical_id_system(fhir_server: str | None) -> str:
    return f"{fhir_server.rstrip('/')}/Patient" if fhir_server else FHIR_LOGICAL_ID_SYSTEM


def fhir_patient_identifiers(
    logical_id: str, identifiers: Iterable[tuple[str, str]] = (), fhir_server: str | None = None
) -> list[tuple[str, str]]:
    """What to keep for one FHIR Patient: its logical id (under the server's system, and the
    generic one) and each ``(system, value)`` identifier it carries."""
    found = [(FHIR_LOGICAL_ID_SYSTEM, logical_id)]
    if fhir_server:
        found.append((logical_id_system(fhir_server), logical_id))
    found.extend((s, v) for s, v in identifiers if s and v and (s, v) not in found)
    return found


def find_course_by_fhir_patient(
    service: Service,
    user: User,
    logical_id: str,
    *,
    fhir_server: str | None = None,
    action: Action = Action.READ_COURSE,
) -> StoredCourse:
    """The latest course of the patient a FHIR Patient id names, if ``user`` may see it.

    Looked up by the id kept at import (under ``fhir_server``'s system, then the generic one),
    then as isotrack's own patient id (the two are equal for a course imported from FHIR).
    :class:`RecordNotFound` when there is none or it is out of reach (not told apart).
    """
    systems = [logical_id_system(fhir_server)] if fhir_server else []
    systems.append(FHIR_LOGICAL_ID_SYSTEM)
    with service.database.reading() as connection:
        patient_id = next(
            (p for s in systems if (p := patient_by_identifier(connection, s, logical_id))), None
        )
        if patient_id is None and patient_record(connection, logical_id) is not None:
            patient_id = logical_id
    return _latest_visible(service, user, patient_id, logical_id, action)


def find_course_by_identifier(
    service: Service, user: User, system: str, value: str, *, action: Action = Action.READ_COURSE
) -> StoredCourse:
    """The latest course of the patient an identifier (e.g. an MRN or programme id) names."""
    with service.database.reading() as connection:
        patient_id = patient_by_identifier(connection, system, value)
    return _latest_visible(service, user, patient_id, value, action)


def identifiers_of_course(service: Service, course: StoredCourse) -> list[tuple[str, str]]:
    """The external identifiers of the course's patient (for writing them back to FHIR)."""
    with service.database.reading() as connection:
        return identifiers_of(connection, course.header.patient_id)


def _latest_visible(
    service: Service, user: User, patient_id: str | None, asked: str, action: Action
) -> StoredCourse:
    headers = []
    if patient_id is not None:
        with service.database.reading() as connection:
            headers = courses_of_patient(connection, patient_id)
    if not headers:
        require(user, action)
        raise not_found(asked)
    return visible_course(service, user, headers[-1].id, action)
