"""Reference and population use cases: the planner, the cited facts, the auditor's counts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from isotrack.domain.errors import RecordNotFound
from isotrack.engines.planner import CoursePlan, parse_plan_request
from isotrack.engines.planner import plan_course as engine_plan
from isotrack.knowledge.model import Fact, Source
from isotrack.service.access import Action, require
from isotrack.service.context import Service
from isotrack.store.aggregates import StoreAggregates, store_aggregates
from isotrack.store.users import User


def plan_course(service: Service, user: User, request: Mapping[str, Any]) -> CoursePlan:
    """A course plan (regimen and projection); :class:`IsotrackInputError` names bad fields."""
    require(user, Action.PLAN_COURSE)
    return engine_plan(service.knowledge(), parse_plan_request(request))


def facts(service: Service, user: User, prefix: str = "") -> list[Fact]:
    """The cited facts whose id starts with ``prefix``, by id."""
    require(user, Action.READ_FACTS)
    return [f for i, f in sorted(service.knowledge().facts.items()) if i.startswith(prefix)]


def fact(service: Service, user: User, fact_id: str) -> tuple[Fact, list[Source]]:
    """One fact with the sources it cites."""
    require(user, Action.READ_FACTS)
    knowledge = service.knowledge()
    found = knowledge.facts.get(fact_id)
    if found is None:
        raise RecordNotFound(f"no fact {fact_id!r}")
    return found, [knowledge.sources[s] for s in found.source_ids if s in knowledge.sources]


def audit_aggregates(service: Service, user: User) -> StoreAggregates:
    """De-identified counts for programme auditors."""
    require(user, Action.READ_AGGREGATES)
    with service.database.reading() as connection:
        return store_aggregates(connection)
