"""Timeline builders for the monitoring tests: a patient, a policy and dated events."""

from __future__ import annotations

import datetime as dt
from typing import Any

from isotrack.domain.timeline import TIMELINE_SCHEMA, Timeline, load_timeline


def course(
    *events: dict[str, Any],
    policy: str = "test-eu",
    birth_date: str = "2000-06-15",
    sex_at_birth: str = "female",
    can_get_pregnant: bool = False,
) -> Timeline:
    """A course timeline; the patient is 25 in early 2026 unless a test says otherwise."""
    return load_timeline(
        {
            "schema": TIMELINE_SCHEMA,
            "policy": policy,
            "patient": {
                "id": "pt-test",
                "birth_date": birth_date,
                "sex_at_birth": sex_at_birth,
                "can_get_pregnant": can_get_pregnant,
            },
            "events": list(events),
        }
    )


START = dt.date(2026, 1, 5)


def day(offset: int) -> str:
    """The ISO date ``offset`` days after the first dose (START, 5 Jan 2026)."""
    return (START + dt.timedelta(days=offset)).isoformat()


def started(*events: dict[str, Any], **patient: Any) -> Timeline:
    """A course whose first dose was on START, with the given events."""
    return course({"id": "start", "type": "course_start", "date": day(0)}, *events, **patient)


def lab(
    event_id: str, offset: int, test: str, value: float, unit: str, **extra: Any
) -> dict[str, Any]:
    return {
        "id": event_id,
        "type": "lab_result",
        "date": day(offset),
        "test": test,
        "value": value,
        "unit": unit,
        **extra,
    }


def codes(alerts: list[Any]) -> list[str]:
    """Alert codes in report order."""
    return [alert.code for alert in alerts]


def only(alerts: list[Any], code: str) -> Any:
    """The single alert with ``code``."""
    found = [alert for alert in alerts if alert.code == code]
    assert len(found) == 1, f"expected one {code}, got {[a.code for a in alerts]}"
    return found[0]
