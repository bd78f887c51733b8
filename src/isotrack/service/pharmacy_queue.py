"""The pharmacy's queue: prescriptions written and not yet filled, with today's decision.

A course's newest prescription waits while no dispense was recorded against it and the course
has not ended. The decision shown is the programme engine's for the day, computed and not
recorded: the pharmacist records one when they run the check for the patient at the counter.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from isotrack.domain.events import CourseEnded, Dispensed, EventBase, PrescriptionWritten
from isotrack.domain.timeline import effective_events, events_of
from isotrack.engines.programme import DispenseDecision
from isotrack.engines.programme import decide_dispense as engine_decision
from isotrack.knowledge import Knowledge
from isotrack.service.access import Action, require
from isotrack.service.context import Service
from isotrack.store.courses import StoredCourse, read_course
from isotrack.store.patients import patient_record
from isotrack.store.tables import events
from isotrack.store.users import User, list_users, user_by_username


@dataclass(frozen=True)
class WaitingPrescription:
    """One line of the queue, everything the pharmacist checks before filling."""

    course_id: str
    patient_id: str
    patient_name: str
    birth_date: dt.date
    prescription: PrescriptionWritten
    product_name: str
    strength: str  # the capsules making up the daily dose, in words
    prescriber_name: str
    decision: DispenseDecision


def capsule_strength(knowledge: Knowledge, rx: PrescriptionWritten) -> str:
    """The capsules of the daily dose: the written regimen, else the fewest capsules of one
    strength of the product that make the dose, else the strengths the product comes in."""
    if rx.regimen:
        day = rx.regimen[0]
        return " + ".join(f"{c.count} × {c.strength_mg:g} mg" for c in day.capsules)
    product = knowledge.products.get(rx.product)
    if product is None:
        return "strength not known"
    whole = [
        (round(rx.daily_dose_mg / s), s)
        for s in product.strengths_mg
        if s > 0 and abs(rx.daily_dose_mg / s - round(rx.daily_dose_mg / s)) < 1e-9
    ]
    if whole:
        count, strength = min(whole)
        return f"{count} × {strength:g} mg"
    return "capsules of " + ", ".join(f"{s:g}" for s in product.strengths_mg) + " mg"


def _signer(course: StoredCourse, rx: PrescriptionWritten) -> str:
    """The prescriber named on the prescription, else the account that recorded it."""
    stored = next((e.recorded_by for e in course.events if e.event_id == rx.id), "")
    return rx.prescriber_id or rx.recorded_by or stored


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
    knowledge = service.knowledge()
    product = knowledge.products.get(rx.product)
    name = product.name if product else rx.product
    signer = prescriber_name(service, _signer(course, rx))
    return rx, name, capsule_strength(knowledge, rx), signer


def _waiting(current: tuple[EventBase, ...]) -> PrescriptionWritten | None:
    prescriptions = events_of(current, PrescriptionWritten)
    if not prescriptions or events_of(current, CourseEnded):
        return None
    newest = max(prescriptions, key=lambda rx: rx.date)
    filled = {d.prescription_id for d in events_of(current, Dispensed)}
    return None if newest.id in filled else newest


def waiting_prescriptions(
    service: Service, user: User, on: dt.date | None = None
) -> list[WaitingPrescription]:
    """Every course's newest unfilled prescription with the programme's decision for ``on``
    (today by default); those that may be dispensed first, then by prescription date."""
    require(user, Action.FIND_PRESCRIPTIONS)
    day = on or service.today()
    knowledge = service.knowledge()
    rows: list[WaitingPrescription] = []
    with service.database.reading() as connection:
        course_ids = connection.execute(
            select(events.c.course_id).where(events.c.type == "prescription").distinct()
        ).scalars()
        names = {u.username: u.display_name for u in list_users(connection)}
        for course_id in sorted(course_ids):
            course = read_course(connection, course_id)
            timeline = course.timeline()
            current = effective_events(timeline)
            rx = _waiting(current)
            if rx is None:
                continue
            patient = patient_record(connection, course.header.patient_id)
            product = knowledge.products.get(rx.product)
            prescriber = _signer(course, rx)
            rows.append(
                WaitingPrescription(
                    course_id=course_id,
                    patient_id=course.header.patient_id,
                    patient_name=patient.display_name if patient else course.header.patient_id,
                    birth_date=course.header.birth_date,
                    prescription=rx,
                    product_name=product.name if product else rx.product,
                    strength=capsule_strength(knowledge, rx),
                    prescriber_name=names.get(prescriber, prescriber or "not recorded"),
                    decision=engine_decision(knowledge, timeline, day, rx.id),
                )
            )
    rows.sort(key=lambda row: (not row.decision.authorized, row.prescription.date))
    return rows
