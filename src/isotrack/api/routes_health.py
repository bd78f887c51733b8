"""Liveness (``/healthz``: the process answers) and readiness (``/readyz``: it can serve)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from sqlalchemy import text
from starlette.concurrency import run_in_threadpool

from isotrack.api.service import Service, get_service
from isotrack.store.database import schema_status

router = APIRouter(tags=["health"])

_OK = {"status": "ok"}


@router.get("/healthz", summary="The process is alive")
async def healthz() -> dict[str, str]:
    return _OK


def _readiness(service: Service) -> tuple[bool, dict[str, Any]]:
    checks: dict[str, Any] = {}
    try:
        with service.database.reading() as connection:
            connection.execute(text("SELECT 1"))
        status = schema_status(service.database)
        checks["database"] = "ok"
        checks["schema"] = "ok" if status.up_to_date else status.explain()
    except Exception as exc:  # any failure means "not ready", reported, never raised
        checks["database"] = f"unreachable: {type(exc).__name__}"
    try:
        service.knowledge()
        checks["knowledge"] = "ok"
    except Exception as exc:
        checks["knowledge"] = f"invalid: {exc}".splitlines()[0]
    return all(v == "ok" for v in checks.values()), checks


@router.get("/readyz", summary="Database reachable, schema current, knowledge valid")
async def readyz(service: Service = Depends(get_service)) -> JSONResponse:
    ready, checks = await run_in_threadpool(_readiness, service)
    return JSONResponse(
        {"status": "ready" if ready else "not ready", "checks": checks},
        status_code=200 if ready else 503,
    )
