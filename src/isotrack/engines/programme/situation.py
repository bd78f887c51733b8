"""The prescription under check and where the course stands around it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

from isotrack.domain.events import Dispensed, PrescriptionWritten
from isotrack.engines.programme.course import CourseRecord
from isotrack.engines.programme.policy import ActivePolicy


@dataclass(frozen=True)
class Situation:
    """Everything a requirement check needs, fixed for one day and one prescription.

    The *cycle* of a prescription is the time since the previous dispense: counselling, tests
    and comprehension checks for this prescription must fall in it (strictly after the day of
    the previous dispense), so nothing already used for one fill is reused for the next.
    """

    policy: ActivePolicy
    record: CourseRecord
    on: dt.date
    target: PrescriptionWritten | None
    target_problem: str | None
    previous_dispense: Dispensed | None
    # Results that several requirement checks share (the judged tests, for one): a situation is
    # fixed, so each is worked out once per decision.
    memo: dict[str, object] = field(default_factory=dict, compare=False, repr=False)

    @cached_property  # asked by almost every check
    def can_get_pregnant(self) -> bool:
        return self.record.can_get_pregnant

    @property
    def pending(self) -> bool:
        """A prescription is waiting to be dispensed."""
        return self.target is not None and self.target_problem is None

    @property
    def is_first(self) -> bool:
        """No earlier prescription of this course has been dispensed."""
        return self.previous_dispense is None

    @property
    def course_ended(self) -> bool:
        return self.record.last_dose is not None

    @cached_property
    def initiation_date(self) -> dt.date:
        """The day treatment was initiated: the first prescription's date, else ``on``."""
        prescriptions = self.record.prescriptions
        if self.is_first and self.target is not None:
            return self.target.date
        dispensed = {d.prescription_id for d in self.record.dispenses}
        for prescription in prescriptions:
            if prescription.id in dispensed:
                return prescription.date
        return self.on

    def in_cycle(self, day: dt.date) -> bool:
        if day > self.on:
            return False
        return self.previous_dispense is None or day > self.previous_dispense.date

    @property
    def next_supply_runs_out(self) -> dt.date | None:
        """The day the last dispensed supply runs out (the next prescription is due)."""
        return self.record.supply_runs_out


def situation(
    policy: ActivePolicy, record: CourseRecord, on: dt.date, prescription_id: str | None
) -> Situation:
    """Pick the prescription under check: the one named, else the latest on record."""
    prescriptions = record.prescriptions
    target: PrescriptionWritten | None = None
    problem: str | None = None
    if prescription_id is not None:
        target = next((p for p in prescriptions if p.id == prescription_id), None)
        if target is None:
            problem = (
                f"prescription {prescription_id!r} is not on record on {on.isoformat()} "
                "(unknown, voided or dated later)"
            )
    elif prescriptions:
        target = prescriptions[-1]
    else:
        problem = "no prescription is on record"
    if target is not None:
        earlier = record.dispense_of(target.id)
        if earlier is not None:
            # Said in dates, not record ids: the pharmacist reads it at the counter.
            problem = (
                f"the prescription of {target.date.isoformat()} was already dispensed on "
                f"{earlier.date.isoformat()}; every fill needs a new prescription"
            )
    # With a prescription waiting, its cycle runs from the previous fill; without one, the
    # requirements look ahead to the next prescription, whose cycle runs from the latest fill.
    waiting = target is not None and problem is None
    previous = [
        d for d in record.dispenses if not waiting or d.prescription_id != getattr(target, "id", "")
    ]
    return Situation(
        policy=policy,
        record=record,
        on=on,
        target=target,
        target_problem=problem,
        previous_dispense=previous[-1] if previous else None,
    )
