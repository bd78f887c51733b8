"""Timeline builders for the monitoring tests: a patient, a policy and dated events."""

from __future__ import annotations

import datetime as dt
from typing import Any

from isotrack.domain.timeline import Timeline
from timeline_cases import event, patient, timeline


def course(
    *events: dict[str, Any],
    policy: str = "test-eu",
    birth_date: str = "2000-06-15",
    sex_at_birth: str = "female",
    can_get_pregnant: bool = False,
) -> Timeline:
    """A course timeline; the patient is 25 in early 2026 unless a test says otherwise."""
    someone = patient("pt-test", birth_date, sex_at_birth, can_get_pregnant=can_get_pregnant)
    return timeline(*events, policy=policy, patient=someone)


START = dt.date(2026, 1, 5)


def day(offset: int) -> str:
    """The ISO date ``offset`` days after the first dose (START, 5 Jan 2026)."""
    return (START + dt.timedelta(days=offset)).isoformat()


def started(*events: dict[str, Any], **story: Any) -> Timeline:
    """A course whose first dose was on START, with the given events."""
    return course(event("start", "course_start", day(0)), *events, **story)


def lab(
    event_id: str, offset: int, test: str, value: float, unit: str, **extra: Any
) -> dict[str, Any]:
    return event(event_id, "lab_result", day(offset), test=test, value=value, unit=unit, **extra)


def codes(alerts: list[Any]) -> list[str]:
    """Alert codes in report order."""
    return [alert.code for alert in alerts]


def only(alerts: list[Any], code: str) -> Any:
    """The single alert with ``code``."""
    found = [alert for alert in alerts if alert.code == code]
    assert len(found) == 1, f"expected one {code}, got {[a.code for a in alerts]}"
    return found[0]
