"""The pharmacy's queue: prescriptions written and not yet filled, with today's decision.

The queue is read a page at a time from the courses' worklist rows (``service/queue_line.py``
works each line out in the transaction of every event and in the daily refresh), so opening it
runs no engine. The decision shown is the programme engine's for the day, computed and not
recorded: the pharmacist records one when they run the check for the patient at the counter,
and that check decides again from every fact (``service/dispensing.py``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from isotrack.domain.errors import IsotrackInputError
from isotrack.domain.events import PrescriptionWritten
from isotrack.domain.timeline import effective_events, events_of
from isotrack.engines.programme import DispenseDecision
from isotrack.service.access import Action, require
from isotrack.service.context import Service
from isotrack.service.paging import ListPage, paging_problems
from isotrack.service.queue_line import capsule_strength, signer_of
from isotrack.service.worklist import rewrite_rows_behind
from isotrack.store.courses import read_course
from isotrack.store.queue_rows import QueueRow, page_of_queue
from isotrack.store.users import User, user_by_username


@dataclass(frozen=True)
class QueuedPrescription:
    """The prescription as the queue shows it."""

    id: str
    date: dt.date
    daily_dose_mg: float
    days_supply: int


@dataclass(frozen=True)
class WaitingPrescription:
    """One line of the queue, everything the pharmacist checks before filling."""

    course_id: str
    patient_id: str
    patient_name: str
    birth_date: dt.date
    prescription: QueuedPrescription
    product_name: str
    strength: str  # the capsules making up the daily dose, in words
    prescriber_name: str
    decision: DispenseDecision | None  # None: the engines could not read the course


QueuePage = ListPage[WaitingPrescription]


def _waiting(row: QueueRow) -> WaitingPrescription:
    return WaitingPrescription(
        course_id=row.course_id,
        patient_id=row.patient_id,
        patient_name=row.patient_name,
        birth_date=row.birth_date,
        prescription=QueuedPrescription(
            row.prescription_id, row.written_on, row.daily_dose_mg, row.days_supply
        ),
        product_name=row.product_name,
        strength=row.strength,
        prescriber_name=row.signer_name or row.signer or "not recorded",
        decision=(
            DispenseDecision.model_validate_json(row.decision_json) if row.decision_json else None
        ),
    )


def waiting_prescriptions(
    service: Service, user: User, *, page: int = 1, page_size: int = 50
) -> QueuePage:
    """One page of every current course's newest unfilled prescription with the programme's
    decision for today; those that may be dispensed first, then by prescription date.

    The pharmacy serves whoever brings a prescription (``access.within_reach``), so its queue
    holds every patient's; no other role may open it. Rows of waiting prescriptions worked out
    before today (the daily refresh has not run yet) and missing rows are rewritten first.
    """
    require(user, Action.FIND_PRESCRIPTIONS)
    problems = paging_problems(page, page_size)
    if problems:
        raise IsotrackInputError(problems, "the pharmacy queue cannot be shown this way")
    rewrite_rows_behind(service, None, waiting=True)
    with service.database.reading() as connection:
        rows, total = page_of_queue(connection, offset=(page - 1) * page_size, limit=page_size)
    return QueuePage([_waiting(row) for row in rows], total, page, page_size)


def prescriber_name(service: Service, signer: str) -> str:
    """Who signed a prescription (a username), by the name on their account."""
    if not signer:
        return "not recorded"
    with service.database.reading() as connection:
        account = user_by_username(connection, signer)
    return account.display_name if account else signer


def prescription_of(
    service: Service, user: User, course_id: str, prescription_id: str | None
) -> tuple[PrescriptionWritten, str, str, str] | None:
    """A course's prescription with its product's name, capsules and signer, for a pharmacist
    who may decide on the course: ``(prescription, product name, strength, prescriber)``."""
    require(user, Action.DECIDE_DISPENSE)
    with service.database.reading() as connection:
        course = read_course(connection, course_id)
        found = [
            rx
            for rx in events_of(effective_events(course.timeline()), PrescriptionWritten)
            if prescription_id is None or rx.id == prescription_id
        ]
        if not found:
            return None
        rx = found[-1]
        signer = signer_of(connection, course_id, rx)
    knowledge = service.knowledge()
    product = knowledge.products.get(rx.product)
    name = product.name if product else rx.product
    return rx, name, capsule_strength(knowledge, rx), prescriber_name(service, signer)
