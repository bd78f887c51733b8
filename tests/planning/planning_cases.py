"""Builders for the planning tests' course timelines (named to avoid clashing with other suites)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from isotrack.domain.timeline import Timeline
from timeline_cases import event, patient, timeline

__all__ = ["course", "day", "dispense", "event", "prescription", "weight"]


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def course(*events: dict[str, Any], policy: str = "us-ipledge-2026") -> Timeline:
    """A 30-year-old man on isotretinoin; ``events`` as they would arrive in the JSON file."""
    ben = patient("pt-ben", "1996-04-02", "male", can_get_pregnant=False)
    return timeline(*events, policy=policy, patient=ben)


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
