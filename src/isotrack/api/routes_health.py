"""Liveness (``/healthz``: the process answers) and readiness (``/readyz``: it can serve)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from isotrack.api.dependencies import get_service
from isotrack.service.context import Service
from isotrack.service.health import readiness

router = APIRouter(tags=["health"])

_OK = {"status": "ok"}


@router.get("/healthz", summary="The process is alive")
async def healthz() -> dict[str, str]:
    return _OK


@router.get("/readyz", summary="Database reachable, schema current, knowledge valid")
async def readyz(service: Service = Depends(get_service)) -> JSONResponse:
    ready, checks = await run_in_threadpool(readiness, service)
    return JSONResponse(
        {"status": "ready" if ready else "not ready", "checks": checks},
        status_code=200 if ready else 503,
    )
