"""One course's line on the prescriber's today list: the value the worklist engine computes and
the store keeps (``engines/worklist.py``, ``store/worklist.py``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

# Most urgent first: the order the today list sorts by.
WorklistStatus = Literal[
    "critical", "on_hold", "stopped", "blocked", "overdue", "due", "unreadable", "on_track"
]
STATUS_ORDER: tuple[WorklistStatus, ...] = (
    "critical", "stopped", "on_hold", "blocked", "unreadable", "overdue", "due", "on_track",
)  # fmt: skip


@dataclass(frozen=True)
class WorklistEntry:
    """One course on the today list: how urgent, what blocks it, when something is next due."""

    as_of: dt.date
    status: WorklistStatus
    next_due: dt.date | None
    open_alerts: int  # critical and warning alerts of the monitoring report
    open_critical_alerts: int
    open_holds: int
    blocking_requirement: str  # the first unmet requirement that gates the dispense, or ""
    hold_item9: bool = False  # one of the holds is a PHQ-9 item-9 answer
    hold_since: dt.date | None = None  # the day the oldest hold was raised
    # Conditions of the first dispense not met on record when treatment began (decision 45):
    # their requirement ids and that day, so the list names what no longer applies.
    no_longer_applies: tuple[str, ...] = ()
    treatment_began: dt.date | None = None

    @property
    def urgency(self) -> int:
        return STATUS_ORDER.index(self.status)


@dataclass(frozen=True)
class QueueLine:
    """A course's prescription waiting at the pharmacy, as its worklist row keeps it: what the
    pharmacist reads on the queue, and the programme's decision for the row's day."""

    prescription_id: str
    written_on: dt.date
    product_name: str
    strength: str  # the capsules making up the daily dose, in words
    daily_dose_mg: float
    days_supply: int
    signer: str  # the username that signed the prescription ("" when none is recorded)
    may_dispense: bool
    dispense_by: dt.date | None
    # The whole decision (reasons, clinical holds) as the engine gave it; "" when the engines
    # could not read the course (it is then shown as not decided, never as fillable).
    decision_json: str
