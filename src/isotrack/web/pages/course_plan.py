"""Plan to prescription on the pages: save the planner's plan to a course, and open the
prescription form filled from one phase of it ("prescribe phase 1 for 30 days")."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from isotrack.domain.errors import IsotrackInputError
from isotrack.engines.planner import CoursePlan
from isotrack.service import course_plans, courses, prescriber_ids, prescribing
from isotrack.service.accounts import Role
from isotrack.web.clinic import PRESCRIBING_ROLES
from isotrack.web.pages.common import event_forms, knowledge, today
from isotrack.web.pages.planner import products
from isotrack.web.pages.prescriber import course_page_with
from isotrack.web.planner_view import plan_from_form
from isotrack.web.prescribe_form import PrescribeState
from isotrack.web.safety_view import safety_view
from isotrack.web.session import check_csrf, require_user, service
from isotrack.web.templating import render

router = APIRouter()

PLANNER_FIELDS = (
    "product", "weight_kg", "mg_per_kg_per_day", "phases", "start", "target_mg_per_kg",
    "max_capsules_per_day", "birth_date", "target_mode", "split_doses",
)  # fmt: skip


def plan_body(plan: CoursePlan, reason: str) -> dict[str, Any]:
    """The ``course_plan`` fields for what the planner made of the form."""
    body: dict[str, Any] = {
        "product": plan.product,
        "weight_kg": plan.weight_kg,
        "phases": [
            {"mg_per_kg_per_day": p.requested_mg_per_kg_per_day, "weeks": p.weeks}
            for p in plan.phases
        ],
        "treat_to_clearance": plan.target_policy == "treat_to_clearance",
        "split_doses": plan.split_doses,
    }
    if plan.target_policy == "mg_per_kg" and plan.target_cumulative_mg_per_kg is not None:
        body["target_mg_per_kg"] = plan.target_cumulative_mg_per_kg
    if reason:
        body["reason"] = reason
    return body


@router.post("/courses/{course_id}/plan", include_in_schema=False)
async def save_plan(request: Request, course_id: str) -> Response:
    user = require_user(request, PRESCRIBING_ROLES)
    form = await request.form()
    check_csrf(request, form.get("csrf_token"))
    values = {k: str(form.get(k, "")).strip() for k in PLANNER_FIELDS if form.get(k)}
    reason = str(form.get("reason", "")).strip()
    outcome = plan_from_form(knowledge(request), values)
    problem = None
    if outcome.plan is None:
        problem = "The plan has errors; correct them in the planner before saving."
    else:
        try:
            course_plans.save_plan(
                service(request), user.user, course_id, plan_body(outcome.plan, reason)
            )
        except IsotrackInputError as exc:
            problem = "; ".join(f"{p.field.replace('_', ' ')}: {p.allowed}" for p in exc.problems)
    if problem is not None:
        outcome.general.append(f"Not saved. {problem}")
        outcome.values["course"] = course_id
        outcome.values["reason"] = reason
        return render(
            request, "planner.html", {"outcome": outcome, "products": products()},
            status_code=422,
        )  # fmt: skip
    return RedirectResponse(
        f"/courses/{quote(course_id)}?recorded=course_plan#plan-heading", status_code=303
    )


@router.get("/courses/{course_id}/prescribe-from-plan", include_in_schema=False)
def prescribe_from_plan(
    request: Request, course_id: str, phase: int = 1, days: int = 30
) -> Response:
    user = require_user(request, PRESCRIBING_ROLES)
    try:
        planned = course_plans.prescription_from_plan(
            service(request), user.user, course_id, phase, days
        )
    except IsotrackInputError as exc:
        return render(
            request, "error.html",
            {"heading": "No such phase", "message": "; ".join(p.allowed for p in exc.problems)},
            status_code=422,
        )  # fmt: skip
    course = courses.visible_course(service(request), user.user, course_id)
    safety = safety_view(knowledge(request), course.timeline(), today(request))
    state = PrescribeState(
        can_sign=user.role == Role.PRESCRIBER.value,
        signer=prescribing.who_signs(service(request), user.user),
        form=event_forms(knowledge(request))["prescription"],
        holds=safety.holds,
        values={
            "date": today(request).isoformat(),
            "product": planned.product,
            "daily_dose_mg": f"{planned.daily_dose_mg:g}",
            "days_supply": str(planned.days_supply),
            "prescriber_id": prescriber_ids.programme_id_for_prescribing(
                service(request), user.user
            ),
        },
        stopped=safety.course_status if safety.course_status.startswith("stopped") else None,
        from_plan=f"Filled from phase {planned.phase} of the saved plan: {planned.capsules_text} "
        "a day. Check and sign.",
    )
    return course_page_with(request, course_id, prescribe=state)
