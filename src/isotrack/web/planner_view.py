"""The planner page's model: reading the planner form and presenting a :class:`CoursePlan`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from isotrack.domain.errors import IsotrackInputError
from isotrack.engines.planner import CoursePlan, parse_plan_request, plan_course
from isotrack.knowledge import Knowledge
from isotrack.web.charts import Point, cumulative_dose_chart
from isotrack.web.history import SourceRef, source_refs

NUMBER_FIELDS = ("weight_kg", "mg_per_kg_per_day", "target_mg_per_kg", "max_capsules_per_day")


@dataclass
class PlannerOutcome:
    """What the planner page shows: the plan, or the errors next to their fields."""

    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)
    plan: CoursePlan | None = None
    chart: Markup | None = None
    sources: list[SourceRef] = field(default_factory=list)
    warnings: list[tuple[str, str, list[SourceRef]]] = field(default_factory=list)


def _parse_phases(text: str) -> list[dict[str, Any]]:
    """Phases typed as ``0.5 x 4, 1.0`` (mg/kg/day for N weeks; the last may omit weeks)."""
    phases: list[dict[str, Any]] = []
    for part in (p.strip() for p in text.replace(";", ",").split(",")):
        if not part:
            continue
        dose_text, _, weeks_text = part.lower().replace("×", "x").partition("x")
        phase: dict[str, Any] = {"mg_per_kg_per_day": float(dose_text.strip())}
        if weeks_text.strip():
            phase["weeks"] = int(weeks_text.strip())
        phases.append(phase)
    return phases


def plan_from_form(knowledge: Knowledge, values: Mapping[str, str]) -> PlannerOutcome:
    """Validate the typed values, run the planner, and say what went wrong field by field."""
    kept = {k: v.strip() for k, v in values.items()}
    outcome = PlannerOutcome(values=kept)
    request: dict[str, Any] = {"product": kept.get("product", "")}
    for name in NUMBER_FIELDS:
        text = kept.get(name, "")
        if not text:
            continue
        try:
            request[name] = int(text) if name == "max_capsules_per_day" else float(text)
        except ValueError:
            outcome.errors[name] = f"{text!r} is not a number"
    start_text = kept.get("start", "")
    try:
        request["start"] = dt.date.fromisoformat(start_text)
    except ValueError:
        outcome.errors["start"] = f"{start_text!r} is not a date; use YYYY-MM-DD"
    if kept.get("birth_date"):
        try:
            request["birth_date"] = dt.date.fromisoformat(kept["birth_date"])
        except ValueError:
            outcome.errors["birth_date"] = f"{kept['birth_date']!r} is not a date"
    if kept.get("phases"):
        try:
            request["phases"] = _parse_phases(kept["phases"])
            request.pop("mg_per_kg_per_day", None)
        except ValueError:
            outcome.errors["phases"] = "write phases as mg/kg/day x weeks, e.g. 0.5 x 4, 1.0"
    request["treat_to_clearance"] = kept.get("target_mode") == "clearance"
    if request["treat_to_clearance"]:
        request.pop("target_mg_per_kg", None)
    request["split_doses"] = kept.get("split_doses") == "yes"
    if outcome.errors:
        return outcome
    try:
        plan = plan_course(knowledge, parse_plan_request(request))
    except IsotrackInputError as exc:
        for problem in exc.problems:
            name = problem.field.split(".")[0]
            if name in kept or name in request or name in NUMBER_FIELDS:
                outcome.errors.setdefault(name, f"{problem.value!r}: allowed {problem.allowed}")
            else:
                outcome.general.append(f"{problem.field}: {problem.allowed}")
        return outcome
    except KeyError as exc:
        outcome.errors["product"] = str(exc.args[0]) if exc.args else "unknown product"
        return outcome
    outcome.plan = plan
    outcome.sources = source_refs(knowledge.sources, plan.source_ids)
    outcome.warnings = [
        (w.severity, w.message, source_refs(knowledge.sources, w.source_ids)) for w in plan.warnings
    ]
    outcome.chart = plan_chart(plan)
    return outcome


def plan_chart(plan: CoursePlan) -> Markup:
    """The projected cumulative mg/kg of a plan, from zero on the start date, against its target."""
    projected = [Point(plan.start, 0.0)]
    projected += [Point(p.date, p.cumulative_mg_per_kg) for p in plan.cumulative]
    target = plan.target_cumulative_mg_per_kg
    return cumulative_dose_chart(
        taken=[],
        projected=projected,
        target_low=target,
        target_high=target,
        as_of=plan.start,
        chart_id="plan-chart",
    )
