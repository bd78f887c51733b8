"""Finding the isotrack course of an EHR's Patient.

A course imported from a FHIR bundle keeps the Patient's logical id as its patient id (and
writes it back as an identifier of the isotrack patient-id system), so an EHR call naming
``Patient/<id>``, or a Patient carrying that identifier, finds the same course.
"""

from __future__ import annotations

from collections.abc import Iterable

from isotrack.service.context import Service
from isotrack.store.courses import NotFound, StoredCourse, courses_of_patient, read_course


def ehr_patient_course(
    service: Service, fhir_patient_id: str | None, identifiers: Iterable[str] = ()
) -> StoredCourse | None:
    """The patient's latest course, found by the FHIR id first, then by any identifier value
    of the isotrack patient-id system; None when isotrack does not know the patient."""
    candidates = [fhir_patient_id, *identifiers]
    with service.database.reading() as connection:
        for patient_id in candidates:
            if not patient_id:
                continue
            headers = courses_of_patient(connection, patient_id)
            if headers:
                try:
                    return read_course(connection, headers[-1].id)
                except NotFound:  # removed between the two reads
                    return None
    return None
