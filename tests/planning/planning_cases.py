"""Builders for the planning tests' course timelines (named to avoid clashing with other suites)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from isotrack.domain.timeline import TIMELINE_SCHEMA, Timeline, load_timeline


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def course(*events: dict[str, Any], policy: str = "us-ipledge-2026") -> Timeline:
    """A 30-year-old man on isotretinoin; ``events`` as they would arrive in the JSON file."""
    return load_timeline(
        {
            "schema": TIMELINE_SCHEMA,
            "policy": policy,
            "patient": {
                "id": "pt-ben",
                "birth_date": "1996-04-02",
                "sex_at_birth": "male",
                "can_get_pregnant": False,
            },
            "events": list(events),
        }
    )


def weight(event_id: str, date: str, kg: float) -> dict[str, Any]:
    return {"id": event_id, "type": "weight", "date": date, "weight_kg": kg}


def prescription(
    event_id: str, date: str, daily_mg: float, days: int = 30, product: str = "claravis"
) -> dict[str, Any]:
    return {
        "id": event_id,
        "type": "prescription",
        "date": date,
        "product": product,
        "daily_dose_mg": daily_mg,
        "days_supply": days,
    }


def dispense(event_id: str, date: str, prescription_id: str, days: int = 30) -> dict[str, Any]:
    return {
        "id": event_id,
        "type": "dispense",
        "date": date,
        "prescription_id": prescription_id,
        "days_supply": days,
    }


def event(event_id: str, kind: str, date: str, **fields: Any) -> dict[str, Any]:
    return {"id": event_id, "type": kind, "date": date, **fields}
