"""Finding patients by what staff have at hand: part of a name, a birth date, an identifier.

Identifiers are the isotrack patient id (which a clinic may set to its EHR number when it
enrols) and the programme's registry id recorded with the enrolment (the iPLEDGE patient id).
Matching ignores case; every word of a name query must appear in the name.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, Connection, and_, func, or_, select

from isotrack.store.tables import courses, events, patients

# Enough to fill a screen; a query matching more is too vague to act on.
MATCH_LIMIT = 50


@dataclass
class PatientHit:
    """One patient found, with what matched (``name``, ``birth date``, ``isotrack id``,
    ``programme id``)."""

    patient_id: str
    display_name: str
    prescriber_user_id: str | None
    birth_dates: set[dt.date] = field(default_factory=set)
    programme_ids: set[str] = field(default_factory=set)
    matched_on: set[str] = field(default_factory=set)
    course_ids: list[str] = field(default_factory=list)


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def birth_date_of(text: str) -> dt.date | None:
    """A birth date as staff type it: ``1999-04-02``, ``02/04/1999`` or ``2.4.1999`` (day first).

    >>> birth_date_of("2.4.1999")
    datetime.date(1999, 4, 2)
    """
    cleaned = text.strip()
    try:
        return dt.date.fromisoformat(cleaned)
    except ValueError:
        pass
    for separator in ("/", ".", "-"):
        parts = cleaned.split(separator)
        if len(parts) == 3 and all(p.isdigit() for p in parts) and len(parts[2]) == 4:
            try:
                return dt.date(int(parts[2]), int(parts[1]), int(parts[0]))
            except ValueError:
                return None
    return None


def _registry_ids(connection: Connection, text: str) -> dict[str, set[str]]:
    """Programme registry ids containing ``text``, by course id (from enrolment events)."""
    rows = connection.execute(
        select(events.c.course_id, events.c.body).where(
            events.c.type == "enrolment",
            func.lower(events.c.body).like(_like(text), escape="\\"),
        )
    ).all()
    found: dict[str, set[str]] = {}
    for row in rows:
        registry = json.loads(row.body).get("registry_id")
        if isinstance(registry, str) and text in registry.lower():
            found.setdefault(row.course_id, set()).add(registry)
    return found


def _registry_of_courses(connection: Connection, course_ids: list[str]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    if not course_ids:
        return found
    rows = connection.execute(
        select(events.c.course_id, events.c.body).where(
            events.c.type == "enrolment", events.c.course_id.in_(course_ids)
        )
    ).all()
    for row in rows:
        registry = json.loads(row.body).get("registry_id")
        if isinstance(registry, str):
            found.setdefault(row.course_id, set()).add(registry)
    return found


def search_patients(
    connection: Connection, text: str, *, prescriber_user_id: str | None, everyone: bool
) -> list[PatientHit]:
    """Patients matching ``text``, by name; only those in ``prescriber_user_id``'s care unless
    ``everyone`` (the pharmacy's reach)."""
    query = " ".join(text.lower().split())
    if not query:
        return []
    name = func.lower(patients.c.display_name)
    by_name = and_(*(name.like(_like(word), escape="\\") for word in query.split()))
    conditions: list[ColumnElement[bool]] = [
        by_name,
        func.lower(patients.c.id).like(_like(query), escape="\\"),
    ]
    born = birth_date_of(query)
    if born is not None:
        conditions.append(courses.c.birth_date == born)
    registry = _registry_ids(connection, query)
    if registry:
        conditions.append(courses.c.id.in_(list(registry)))
    statement = (
        select(
            patients.c.id,
            patients.c.display_name,
            patients.c.prescriber_user_id,
            courses.c.id.label("course_id"),
            courses.c.birth_date,
        )
        .select_from(patients.outerjoin(courses, courses.c.patient_id == patients.c.id))
        .where(or_(*conditions))
        .order_by(patients.c.display_name, patients.c.id, courses.c.created_at)
    )
    if not everyone:
        statement = statement.where(patients.c.prescriber_user_id == (prescriber_user_id or ""))
    hits: dict[str, PatientHit] = {}
    for row in connection.execute(statement):
        hit = hits.get(row.id)
        if hit is None:
            if len(hits) >= MATCH_LIMIT:
                break
            hit = hits[row.id] = PatientHit(row.id, row.display_name, row.prescriber_user_id)
        if row.course_id is not None:
            hit.course_ids.append(row.course_id)
            birth = row.birth_date
            if not isinstance(birth, dt.date):
                birth = dt.date.fromisoformat(birth)
            hit.birth_dates.add(birth)
        if all(word in row.display_name.lower() for word in query.split()):
            hit.matched_on.add("name")
        if query in row.id.lower():
            hit.matched_on.add("isotrack id")
        if born is not None and born in hit.birth_dates:
            hit.matched_on.add("birth date")
        if row.course_id in registry:
            hit.matched_on.add("programme id")
    # Every programme id of the patients found is shown, not only one that matched.
    course_ids = [course for hit in hits.values() for course in hit.course_ids]
    known = _registry_of_courses(connection, course_ids)
    for hit in hits.values():
        for course in hit.course_ids:
            hit.programme_ids |= known.get(course, set())
    return list(hits.values())
