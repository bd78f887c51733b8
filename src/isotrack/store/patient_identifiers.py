"""External identifiers of patients: which isotrack patient an EHR's identifier names.

One ``(system, value)`` names at most one patient; linking it again to the same patient is a
no-op, linking it to another patient is refused (two records for one person would split the
programme's history, which is unsafe).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, insert, select

from isotrack.domain.errors import FieldProblem, IsotrackInputError
from isotrack.store.clock import utc_timestamp
from isotrack.store.tables import patient_identifiers


def link_identifiers(
    connection: Connection, patient_id: str, identifiers: Iterable[tuple[str, str]]
) -> None:
    """Record each ``(system, value)`` as naming ``patient_id``."""
    for system, value in identifiers:
        owner = patient_by_identifier(connection, system, value)
        if owner == patient_id:
            continue
        if owner is not None:
            raise IsotrackInputError(
                [FieldProblem("identifier", system, value,
                              "an identifier no other patient of this store already has")],
                "this identifier already names another patient",
            )  # fmt: skip
        connection.execute(
            insert(patient_identifiers).values(
                system=system, value=value, patient_id=patient_id, created_at=utc_timestamp()
            )
        )


def patient_by_identifier(connection: Connection, system: str, value: str) -> str | None:
    return connection.execute(
        select(patient_identifiers.c.patient_id).where(
            patient_identifiers.c.system == system, patient_identifiers.c.value == value
        )
    ).scalar_one_or_none()


def identifiers_of(connection: Connection, patient_id: str) -> list[tuple[str, str]]:
    rows = connection.execute(
        select(patient_identifiers.c.system, patient_identifiers.c.value)
        .where(patient_identifiers.c.patient_id == patient_id)
        .order_by(patient_identifiers.c.system, patient_identifiers.c.value)
    ).all()
    return [(r.system, r.value) for r in rows]
