"""Plan to prescription (issue 17): save a planner's plan to a course, read it back with the
planner's answer, and turn one of its phases into the fields of a prescription.

The plan is a ``course_plan`` event (``domain.plan_events``), so it is covered by the hash
chain, shown in the history, exported to FHIR, and corrected like any record. The check it
passes in the append's transaction is ``service.plan_rules.check_plan``.
"""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from typing import Any

from isotrack.domain.errors import rejected_field
from isotrack.domain.plan_events import CoursePlanned
from isotrack.engines.planner import CoursePlan
from isotrack.service.access import Action
from isotrack.service.context import Service
from isotrack.service.courses import visible_course
from isotrack.service.plan_rules import planned_course, saved_plans
from isotrack.service.recording import AppendOutcome, record_event_json
from isotrack.store.users import User

PLAN_FIELDS = (
    "product",
    "weight_kg",
    "phases",
    "target_mg_per_kg",
    "treat_to_clearance",
    "split_doses",
    "reason",
    "note",
)


def save_plan(
    service: Service,
    user: User,
    course_id: str,
    body: Any,
    expected_version: int | None = None,
) -> AppendOutcome:
    """Record the plan as of today; a plan replacing an earlier one must carry a reason."""
    if not isinstance(body, dict):
        raise rejected_field("(body)", type(body).__name__, "a JSON object: the plan", "no plan")
    for name in body:
        if name not in PLAN_FIELDS:
            raise rejected_field(name, body[name], ", ".join(PLAN_FIELDS), "unknown plan field")
    event = {
        "id": f"plan-{secrets.token_hex(6)}",
        "type": "course_plan",
        "date": service.today().isoformat(),
        **body,
    }
    return record_event_json(service, user, course_id, event, expected_version)


@dataclass(frozen=True)
class SavedPlan:
    """The plan in force, what the planner makes of it, and the plans it replaced."""

    event: CoursePlanned
    plan: CoursePlan
    earlier: list[CoursePlanned]


def saved_plan(service: Service, user: User, course_id: str) -> SavedPlan | None:
    course = visible_course(service, user, course_id, Action.READ_COURSE)
    plans = saved_plans(course.timeline())
    if not plans:
        return None
    return SavedPlan(plans[-1], planned_course(service.knowledge(), plans[-1]), plans[:-1])


@dataclass(frozen=True)
class PlannedPrescription:
    """The prescription form's fields for one phase of the saved plan."""

    phase: int  # 1 is the first phase
    product: str
    daily_dose_mg: float
    days_supply: int
    capsules_text: str


def prescription_from_plan(
    service: Service, user: User, course_id: str, phase: int, days_supply: int
) -> PlannedPrescription:
    """ "Prescribe phase N for D days": product and daily dose from the saved plan. The
    order-entry check still runs when the prescriber signs."""
    saved = saved_plan(service, user, course_id)
    if saved is None:
        raise rejected_field("phase", phase, "a phase of a saved plan: save one first", "no plan")
    phases = saved.plan.phases
    if not 1 <= phase <= len(phases):
        raise rejected_field("phase", phase, f"1 to {len(phases)}", "no such phase")
    if days_supply < 1:
        raise rejected_field("days_supply", days_supply, "a whole number of days, 1 or more",
                             "no supply")  # fmt: skip
    chosen = phases[phase - 1]
    # A repeating pattern averages to its mean; the prescription holds the daily mean to 0.1 mg.
    dose = math.floor(chosen.daily_dose_mg * 10 + 0.5) / 10
    capsules = "; ".join(
        " + ".join(f"{c.count} × {c.strength_mg:g} mg" for c in day.capsules)
        for day in chosen.regimen
    )
    return PlannedPrescription(phase, saved.event.product, dose, days_supply, capsules)
