"""The engines the API calls, imported where they are used.

The engines are written in parallel with the service; importing them at call time lets the
service start (and answer everything else) while one of them is still missing, and keeps the
engine modules off the import path of ``isotrack serve`` start-up.
"""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

from pydantic import BaseModel

from isotrack.api.problems import Problem
from isotrack.domain.events import EventBase
from isotrack.domain.timeline import Timeline
from isotrack.knowledge import Knowledge


def _engine(module: str, name: str) -> Any:
    try:
        return getattr(importlib.import_module(f"isotrack.engines.{module}"), name)
    except (ImportError, AttributeError):
        raise Problem(
            501,
            "Not available",
            f"this isotrack build has no engine function isotrack.engines.{module}.{name}",
            kind="engine-missing",
        ) from None


def assess(knowledge: Knowledge, timeline: Timeline, as_of: dt.date) -> BaseModel:
    result: BaseModel = _engine("assessment", "assess")(knowledge, timeline, as_of)
    return result


def build_schedule(knowledge: Knowledge, timeline: Timeline, as_of: dt.date) -> BaseModel:
    result: BaseModel = _engine("schedule", "build_schedule")(knowledge, timeline, as_of)
    return result


def decide_dispense(
    knowledge: Knowledge, timeline: Timeline, on: dt.date, prescription_id: str | None
) -> BaseModel:
    result: BaseModel = _engine("programme", "decide_dispense")(
        knowledge, timeline, on, prescription_id=prescription_id
    )
    return result


def plan_course(knowledge: Knowledge, request_json: dict[str, Any]) -> BaseModel:
    request_model = _engine("planner", "PlanRequest")
    request = request_model.model_validate(request_json)
    result: BaseModel = _engine("planner", "plan_course")(knowledge, request)
    return result


def check_lab_result(knowledge: Knowledge, event: EventBase) -> None:
    """The monitoring engine's check of a lab result (unit and plausibility), when present.

    It raises :class:`isotrack.domain.errors.IsotrackInputError` for a result it refuses.
    """
    for module_name in ("isotrack.engines.monitoring", "isotrack.engines.monitoring.lab_units"):
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        check = getattr(module, "check_lab_result", None)
        if check is not None:
            check(knowledge, event)
            return
