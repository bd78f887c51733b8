"""Reference and population views: the planner, the cited facts, de-identified aggregates."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Body, Depends, Query

from isotrack.api.auth import Principal, current_principal
from isotrack.api.dependencies import get_service
from isotrack.service import reference
from isotrack.service.context import Service

router = APIRouter(tags=["reference"])


@router.post("/planner", summary="Plan a course: regimen and projection (engines.planner)")
def planner(
    request_json: dict[str, Any] = Body(description="a PlanRequest of isotrack.engines.planner"),
    principal: Principal = Depends(current_principal),
    service: Service = Depends(get_service),
) -> dict[str, Any]:
    plan = reference.plan_course(service, principal.user, request_json)
    return plan.model_dump(mode="json", by_alias=True)


@router.get("/facts", summary="The cited clinical facts (optionally those whose id starts so)")
def facts_list(
    prefix: str = Query(default="", max_length=100),
    principal: Principal = Depends(current_principal),
    service: Service = Depends(get_service),
) -> list[dict[str, Any]]:
    return [
        fact.model_dump(mode="json", exclude_none=True)
        for fact in reference.facts(service, principal.user, prefix)
    ]


@router.get("/facts/{fact_id}", summary="One fact with its sources")
def facts_read(
    fact_id: str,
    principal: Principal = Depends(current_principal),
    service: Service = Depends(get_service),
) -> dict[str, Any]:
    fact, sources = reference.fact(service, principal.user, fact_id)
    return {
        **fact.model_dump(mode="json", exclude_none=True),
        "sources": [s.model_dump(mode="json", exclude_none=True) for s in sources],
    }


@router.get("/audit/summary", summary="De-identified counts for programme auditors")
def audit_summary(
    principal: Principal = Depends(current_principal), service: Service = Depends(get_service)
) -> dict[str, Any]:
    return asdict(reference.audit_aggregates(service, principal.user))
