"""The check a saved course plan passes inside the append's transaction (issue 17).

A plan names a product the knowledge base knows, the planner must be able to make it (the
same checks as the planner page), and a plan that replaces an earlier one says why.
"""

from __future__ import annotations

from isotrack.domain.errors import rejected_field
from isotrack.domain.plan_events import CoursePlanned
from isotrack.domain.timeline import Timeline, effective_events, events_of
from isotrack.engines.plan_request import Phase
from isotrack.engines.planner import CoursePlan, PlanRequest, plan_course
from isotrack.knowledge import Knowledge


def saved_plans(timeline: Timeline) -> list[CoursePlanned]:
    """The plans saved to the course and still current (not voided), oldest first."""
    return events_of(effective_events(timeline), CoursePlanned)


def planned_course(knowledge: Knowledge, plan: CoursePlanned) -> CoursePlan:
    """The planner's answer for a saved plan, from the day it was saved."""
    request = PlanRequest(
        product=plan.product,
        weight_kg=plan.weight_kg,
        start=plan.date,
        phases=[Phase(mg_per_kg_per_day=p.mg_per_kg_per_day, weeks=p.weeks) for p in plan.phases],
        target_mg_per_kg=plan.target_mg_per_kg,
        treat_to_clearance=plan.treat_to_clearance,
        split_doses=plan.split_doses,
    )
    return plan_course(knowledge, request)


def check_plan(knowledge: Knowledge, timeline: Timeline, plan: CoursePlanned) -> None:
    """Refuse an unknown product, a plan the planner cannot make, or a change with no reason."""
    if plan.product not in knowledge.products:
        raise rejected_field(
            "product",
            plan.product,
            ", ".join(sorted(p for p, found in knowledge.products.items() if found.marketed)),
            "unknown product",
        )
    planned_course(knowledge, plan)  # raises the planner's field errors
    earlier = [p for p in saved_plans(timeline) if p.id != plan.id]
    if earlier and not (plan.reason or "").strip():
        raise rejected_field(
            "reason",
            plan.reason,
            f"a few words on why the plan saved on {earlier[-1].date.isoformat()} changes",
            "changing a saved plan needs a reason",
        )
