"""Reference and population views: the planner, the cited facts, de-identified aggregates."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Body, Depends, Query
from pydantic import ValidationError

from isotrack.api.access import Action, require
from isotrack.api.auth import Principal, current_principal
from isotrack.api.engine_calls import plan_course
from isotrack.api.problems import Problem, field_error
from isotrack.api.service import Service, get_service
from isotrack.store.aggregates import store_aggregates

router = APIRouter(tags=["reference"])


@router.post("/planner", summary="Plan a course: regimen and projection (engines.planner)")
def planner(
    request_json: dict[str, Any] = Body(description="a PlanRequest of isotrack.engines.planner"),
    principal: Principal = Depends(current_principal),
    service: Service = Depends(get_service),
) -> dict[str, Any]:
    require(principal.user, Action.PLAN_COURSE)
    try:
        plan = plan_course(service.knowledge(), request_json)
    except ValidationError as exc:
        raise Problem(
            422,
            "Invalid input",
            "the plan request was rejected",
            kind="invalid-input",
            errors=[
                field_error(
                    "body",
                    ".".join(str(p) for p in err["loc"]) or "(body)",
                    None if err["type"] == "missing" else err.get("input"),
                    str(err["msg"]),
                )
                for err in exc.errors()
            ],
        ) from None
    return plan.model_dump(mode="json", by_alias=True)


@router.get("/facts", summary="The cited clinical facts (optionally those whose id starts so)")
def facts_list(
    prefix: str = Query(default="", max_length=100),
    principal: Principal = Depends(current_principal),
    service: Service = Depends(get_service),
) -> list[dict[str, Any]]:
    require(principal.user, Action.READ_FACTS)
    facts = service.knowledge().facts
    return [
        fact.model_dump(mode="json", exclude_none=True)
        for fact_id, fact in sorted(facts.items())
        if fact_id.startswith(prefix)
    ]


@router.get("/facts/{fact_id}", summary="One fact with its sources")
def facts_read(
    fact_id: str,
    principal: Principal = Depends(current_principal),
    service: Service = Depends(get_service),
) -> dict[str, Any]:
    require(principal.user, Action.READ_FACTS)
    knowledge = service.knowledge()
    fact = knowledge.facts.get(fact_id)
    if fact is None:
        raise Problem(404, "Not found", f"no fact {fact_id!r}", kind="not-found")
    sources = [
        knowledge.sources[s].model_dump(mode="json", exclude_none=True)
        for s in fact.source_ids
        if s in knowledge.sources
    ]
    return {**fact.model_dump(mode="json", exclude_none=True), "sources": sources}


@router.get("/audit/summary", summary="De-identified counts for programme auditors")
def audit_summary(
    principal: Principal = Depends(current_principal), service: Service = Depends(get_service)
) -> dict[str, Any]:
    require(principal.user, Action.READ_AGGREGATES)
    with service.database.reading() as connection:
        return asdict(store_aggregates(connection))
