"""Readiness: the database answers, its schema is current, the knowledge base is valid."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from isotrack.service.context import Service
from isotrack.store.database import schema_status


def readiness(service: Service) -> tuple[bool, dict[str, Any]]:
    """Whether the service can serve, and each check's outcome (failures reported, never
    raised)."""
    checks: dict[str, Any] = {}
    try:
        with service.database.reading() as connection:
            connection.execute(text("SELECT 1"))
        status = schema_status(service.database)
        checks["database"] = "ok"
        checks["schema"] = "ok" if status.up_to_date else status.explain()
    except Exception as exc:  # any failure means "not ready"
        checks["database"] = f"unreachable: {type(exc).__name__}"
    try:
        service.knowledge()
        checks["knowledge"] = "ok"
    except Exception as exc:
        checks["knowledge"] = f"invalid: {exc}".splitlines()[0]
    return all(v == "ok" for v in checks.values()), checks
