"""The pharmacy's queue: the worklist rows of courses with a prescription waiting to be filled,
read a page at a time along ``ix_worklist_queue`` (may be dispensed first, then oldest)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from isotrack.store.tables import courses, users, worklist


@dataclass(frozen=True)
class QueueRow:
    """One waiting prescription as its course's row keeps it, with the patient's birth date and
    the signer's name read beside it (an account's name can change; the row keeps the login)."""

    course_id: str
    patient_id: str
    patient_name: str
    birth_date: dt.date
    as_of: dt.date
    prescription_id: str
    written_on: dt.date
    product_name: str
    strength: str
    daily_dose_mg: float
    days_supply: int
    signer: str
    signer_name: str | None
    decision_json: str


def page_of_queue(connection: Connection, *, offset: int, limit: int) -> tuple[list[QueueRow], int]:
    """One page of the waiting prescriptions and how many are waiting in all."""
    waiting = worklist.c.queue_order.is_not(None)
    total = connection.execute(select(func.count()).select_from(worklist).where(waiting))
    query = (
        select(worklist, courses.c.birth_date, users.c.display_name.label("signer_name"))
        .join(courses, courses.c.id == worklist.c.course_id)
        .outerjoin(users, users.c.username == worklist.c.rx_signer)
        .where(waiting)
        .order_by(worklist.c.queue_order, worklist.c.rx_written_on, worklist.c.course_id)
        .offset(offset)
        .limit(limit)
    )
    rows = [
        QueueRow(
            course_id=r.course_id,
            patient_id=r.patient_id,
            patient_name=r.patient_name,
            birth_date=r.birth_date,
            as_of=r.as_of,
            prescription_id=r.rx_id,
            written_on=r.rx_written_on,
            product_name=r.rx_product,
            strength=r.rx_strength,
            daily_dose_mg=r.rx_daily_dose_mg,
            days_supply=r.rx_days_supply,
            signer=r.rx_signer,
            signer_name=r.signer_name,
            decision_json=r.decision,
        )
        for r in connection.execute(query)
    ]
    return rows, int(total.scalar_one())
