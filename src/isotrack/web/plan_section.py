"""The course page's "Course plan" section: the saved plan, its projection, the plans it
replaced, and one "prescribe phase N for 30 days" link per phase."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from isotrack.service import course_plans
from isotrack.service.accounts import User
from isotrack.service.context import Service
from isotrack.web.history import plan_text

DAYS_PER_PRESCRIPTION = 30  # the link's supply; the order-entry check applies the policy's cap


@dataclass(frozen=True)
class PhaseLink:
    number: int
    words: str
    href: str


@dataclass(frozen=True)
class PlanSection:
    text: str
    saved_on: dt.date
    saved_by: str
    projected_end: dt.date | None
    phases: list[PhaseLink]
    earlier: list[str]
    planner_href: str


def plan_section(service: Service, user: User, course_id: str) -> PlanSection | None:
    saved = course_plans.saved_plan(service, user, course_id)
    if saved is None:
        return None
    links = []
    for index, phase in enumerate(saved.plan.phases, start=1):
        query = urlencode({"phase": index, "days": DAYS_PER_PRESCRIPTION})
        words = (
            f"Phase {index}: {phase.daily_dose_mg:.1f} mg a day "
            f"({phase.mg_per_kg_per_day:.2f} mg/kg/day)"
            + (f" for {phase.weeks} weeks" if phase.weeks else " until the course ends")
        )
        links.append(
            PhaseLink(index, words, f"/courses/{quote(course_id)}/prescribe-from-plan?{query}")
        )
    event = saved.event
    planner = {
        "course": course_id, "product": event.product, "weight_kg": f"{event.weight_kg:g}",
        "phases": ", ".join(f"{p.mg_per_kg_per_day:g} x {p.weeks}" if p.weeks
                            else f"{p.mg_per_kg_per_day:g}" for p in event.phases),
        "target_mg_per_kg": f"{event.target_mg_per_kg:g}" if event.target_mg_per_kg else "",
        "target_mode": "clearance" if event.treat_to_clearance else "mg_per_kg",
        "start": event.date.isoformat(),
    }  # fmt: skip
    return PlanSection(
        text=plan_text(event, saved.plan.product_name),
        saved_on=event.date,
        saved_by=event.recorded_by or "",
        projected_end=saved.plan.projected_end_date,
        phases=links,
        earlier=[
            f"{p.date.isoformat()}: {plan_text(p, saved.plan.product_name)}" for p in saved.earlier
        ],
        planner_href=f"/planner?{urlencode(planner)}",
    )
