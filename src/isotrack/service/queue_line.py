"""What a course shows on the pharmacy's queue, worked out with its worklist row.

A course's newest prescription waits while no dispense names it and the course has not ended.
The line keeps the prescription in the counter's words and the programme engine's decision for
the row's day; the decision is shown, never recorded (decision 44), and the dispense check
decides again from every fact when the pharmacist runs it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, select

from isotrack.domain.errors import IsotrackInputError
from isotrack.domain.events import CourseEnded, Dispensed, PrescriptionWritten
from isotrack.domain.timeline import Timeline, effective_events, events_of
from isotrack.domain.worklist_entry import QueueLine
from isotrack.engines.programme import decide_dispense
from isotrack.knowledge import Knowledge
from isotrack.store.tables import events


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


def waiting_prescription(timeline: Timeline) -> PrescriptionWritten | None:
    """The course's newest prescription if it waits to be filled (none dispensed against it,
    the course not ended)."""
    current = effective_events(timeline)
    prescriptions = events_of(current, PrescriptionWritten)
    if not prescriptions or events_of(current, CourseEnded):
        return None
    newest = max(prescriptions, key=lambda rx: rx.date)
    filled = {d.prescription_id for d in events_of(current, Dispensed)}
    return None if newest.id in filled else newest


def signer_of(connection: Connection, course_id: str, rx: PrescriptionWritten) -> str:
    """The prescriber named on the prescription, else the account that recorded it."""
    if rx.prescriber_id or rx.recorded_by:
        return rx.prescriber_id or rx.recorded_by or ""
    stored = connection.execute(
        select(events.c.recorded_by).where(
            events.c.course_id == course_id, events.c.event_id == rx.id
        )
    ).scalar_one_or_none()
    return stored or ""


def queue_line(
    knowledge: Knowledge, connection: Connection, course_id: str, timeline: Timeline, on: dt.date
) -> QueueLine | None:
    """The course's line on the queue for ``on``, or ``None`` when nothing waits."""
    rx = waiting_prescription(timeline)
    if rx is None:
        return None
    product = knowledge.products.get(rx.product)
    try:
        decision = decide_dispense(knowledge, timeline, on, rx.id)
    except IsotrackInputError:  # a record the engines cannot read: never shown as fillable
        decision = None
    return QueueLine(
        prescription_id=rx.id,
        written_on=rx.date,
        product_name=product.name if product else rx.product,
        strength=capsule_strength(knowledge, rx),
        daily_dose_mg=rx.daily_dose_mg,
        days_supply=rx.days_supply,
        signer=signer_of(connection, course_id, rx),
        may_dispense=decision.authorized if decision else False,
        dispense_by=decision.dispense_by if decision else None,
        decision_json=decision.model_dump_json() if decision else "",
    )
