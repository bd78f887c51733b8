"""Staff find a patient by any part of the name, a birth date or an identifier.

The reach is the same as everywhere else: a prescriber and their designees find the patients
in the prescriber's care; a pharmacy finds any patient (it serves whoever brings a
prescription); patients, admins and auditors search nobody.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from isotrack.domain.errors import ActionNotAllowed, rejected_field
from isotrack.service.access import Action, allows
from isotrack.service.context import Service
from isotrack.store.patient_search import search_patients as _search
from isotrack.store.users import User

# The shape of the ids ``store.courses.new_id("pt")`` makes when the clinic gives none.
GENERATED_PATIENT_ID = re.compile(r"pt-[0-9a-f]{12}")
# Longer than any name or identifier; a longer query is a paste gone wrong.
QUERY_MAX_CHARS = 200


@dataclass(frozen=True)
class PatientFound:
    """One patient a search found, with what matched, in the order shown."""

    patient_id: str
    display_name: str
    birth_dates: tuple[dt.date, ...]
    programme_ids: tuple[str, ...]
    matched_on: tuple[str, ...]  # "name", "birth date", "isotrack id", "programme id"
    latest_course_id: str | None

    @property
    def clinic_number(self) -> str | None:
        """The clinic's own record number, when the clinic gave one at enrolment (an id
        isotrack made up means nothing to staff and is not shown)."""
        return None if GENERATED_PATIENT_ID.fullmatch(self.patient_id) else self.patient_id


def search_patients(service: Service, user: User, text: str) -> list[PatientFound]:
    """Patients within ``user``'s reach matching ``text`` (case-insensitive), by name.

    Raises :class:`ActionNotAllowed` for a role that finds nobody and
    :class:`IsotrackInputError` (field ``q``) for a query longer than any identifier.
    """
    everyone = allows(user, Action.FIND_PRESCRIPTIONS)
    if not everyone and not allows(user, Action.LIST_PATIENTS):
        raise ActionNotAllowed(f"role {user.role.value!r} may not search patients")
    if len(text) > QUERY_MAX_CHARS:
        raise rejected_field(
            "q", text[:40] + "…", f"at most {QUERY_MAX_CHARS} characters", "Search too long"
        )
    with service.database.reading() as connection:
        hits = _search(
            connection, text, prescriber_user_id=user.care_prescriber_id, everyone=everyone
        )
    order = ("name", "birth date", "isotrack id", "programme id")
    return [
        PatientFound(
            patient_id=hit.patient_id,
            display_name=hit.display_name,
            birth_dates=tuple(sorted(hit.birth_dates)),
            programme_ids=tuple(sorted(hit.programme_ids)),
            matched_on=tuple(kind for kind in order if kind in hit.matched_on),
            latest_course_id=hit.course_ids[-1] if hit.course_ids else None,
        )
        for hit in hits
    ]
