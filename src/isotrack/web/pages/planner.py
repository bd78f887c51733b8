"""The course planner page; its result part re-renders in place as the form changes."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from isotrack.web.pages.common import knowledge, today
from isotrack.web.planner_view import PlannerOutcome, plan_from_form
from isotrack.web.session import require_user
from isotrack.web.templating import render

router = APIRouter()

PLANNER_ROLES = ("prescriber", "designee", "pharmacist")


def _outcome(request: Request) -> PlannerOutcome:
    values = {k: v for k, v in request.query_params.items()}
    if not values.get("weight_kg"):
        values.setdefault("start", today(request).isoformat())
        # The blank form starts from the label's starting dose and the low end of the label's
        # cumulative band, both read from the knowledge base.
        facts = knowledge(request)
        target_low, _ = facts.bounds("dosing.cumulative_target_label_mg_per_kg")
        values.setdefault("mg_per_kg_per_day", f"{facts.number('dosing.eu_start_mg_per_kg_day'):g}")
        values.setdefault("target_mg_per_kg", f"{target_low:g}")
        return PlannerOutcome(values=values)
    return plan_from_form(knowledge(request), values)


def products() -> list[tuple[str, str]]:
    return sorted(
        ((p.id, f"{p.name} ({', '.join(f'{s:g}' for s in p.strengths_mg)} mg)")
         for p in knowledge().products.values() if p.marketed),
        key=lambda item: item[1].lower(),
    )  # fmt: skip


@router.get("/planner", response_class=HTMLResponse, include_in_schema=False)
def planner_page(request: Request) -> Response:
    require_user(request, PLANNER_ROLES)
    outcome = _outcome(request)
    status = 422 if outcome.errors or outcome.general else 200
    return render(
        request, "planner.html", {"outcome": outcome, "products": products()}, status_code=status
    )


@router.get("/planner/result", response_class=HTMLResponse, include_in_schema=False)
def planner_result(request: Request) -> Response:
    require_user(request, PLANNER_ROLES)
    return render(request, "_plan_result.html", {"outcome": _outcome(request)})
