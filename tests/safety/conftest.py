"""Clinical-safety cases: a US iPLEDGE course about to get its third prescription.

The base story (``tests/programme/scenarios/us2023-cgp-full-course.json`` up to 5 April 2024):
a 25-year-old who can get pregnant, two methods of contraception, negative monthly tests, two
30-day prescriptions dispensed; on 5 April the third prescription ``rx3`` is written with a
negative test, counselling and a passed comprehension check. Dispensing it on 6 April meets
every programme rule, so anything that refuses it in these tests is a clinical hold.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

from isotrack.domain.timeline import Timeline, load_timeline
from isotrack.knowledge import Knowledge, load_knowledge

SCENARIO = Path(__file__).parent.parent / "programme" / "scenarios" / "us2023-cgp-full-course.json"
DISPENSE_DAY = dt.date(2024, 4, 6)
STORY_END = "2024-04-05"

CourseBuilder = Callable[..., Timeline]


def base_events() -> list[dict[str, Any]]:
    data = json.loads(SCENARIO.read_text(encoding="utf-8"))
    return [e for e in data["events"] if e["date"] <= STORY_END]


def course(
    *extra: dict[str, Any],
    policy: str | None = None,
    can_get_pregnant: bool = True,
    drop: Iterable[str] = (),
) -> Timeline:
    """The base story with ``extra`` events recorded after it (in the order given)."""
    data = json.loads(SCENARIO.read_text(encoding="utf-8"))
    dropped = set(drop)
    data["events"] = [e for e in base_events() if e["id"] not in dropped] + list(extra)
    if policy is not None:
        data["policy"] = policy
    if not can_get_pregnant:
        data["patient"]["can_get_pregnant"] = False
        for event in data["events"]:
            if event["type"] == "enrolment":
                event["category"] = "cannot_get_pregnant"
    return load_timeline(data)


def lab(event_id: str, day: str, test: str, value: float, unit: str, **more: Any) -> dict[str, Any]:
    return {"id": event_id, "type": "lab_result", "date": day, "test": test, "value": value,
            "unit": unit, **more}  # fmt: skip


def phq9(event_id: str, day: str, items: list[int]) -> dict[str, Any]:
    return {"id": event_id, "type": "mood_screen", "date": day, "item_scores": items}


def review(
    event_id: str, day: str, alert_id: str, outcome: str, note: str = "seen"
) -> dict[str, Any]:
    return {"id": event_id, "type": "alert_review", "date": day, "alert_id": alert_id,
            "outcome": outcome, "note": note, "recorded_by": "dr-lee"}  # fmt: skip


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
    return load_knowledge()
