"""The REST API: every router under ``/api/v1``, problem+json errors, and the shared service."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from isotrack.api import (
    routes_account,
    routes_auth,
    routes_cds,
    routes_courses,
    routes_disclosures,
    routes_dispense,
    routes_health,
    routes_pk,
    routes_plans,
    routes_reference,
    routes_safety,
    routes_settings,
    routes_users,
)
from isotrack.api.problems import install_problem_handlers
from isotrack.api.routes_fhir import install_fhir

API_PREFIX = "/api/v1"


def install_api(app: FastAPI) -> None:
    """Add the API routes and the problem+json error handlers to ``app``."""
    api = APIRouter(prefix=API_PREFIX)
    # Routes are matched in order, one pattern at a time: the pharmacy's dispense decision,
    # by far the most frequent request, is tried first.
    for module in (
        routes_dispense,
        routes_auth,
        routes_account,
        routes_users,
        routes_courses,
        routes_disclosures,
        routes_pk,
        routes_safety,
        routes_plans,
        routes_reference,
        routes_settings,
    ):
        api.include_router(module.router)
    # The CDS Hooks router before the API's: its few routes cost other requests next to
    # nothing, while an EHR's call matched after every API route spent a third of its time
    # in routing (decision 53).
    app.include_router(routes_cds.router)
    app.include_router(api)
    app.include_router(routes_health.router)
    install_fhir(app)
    install_problem_handlers(app)
