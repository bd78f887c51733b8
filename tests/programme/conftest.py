"""Shared fixtures for the programme tests: the real knowledge base and the scenario files."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

from isotrack.domain.timeline import Timeline, load_timeline
from isotrack.engines.programme import DispenseDecision, ProgrammeReport, RequirementStatus
from isotrack.knowledge import Knowledge, load_knowledge

SCENARIOS = Path(__file__).parent / "scenarios"

ScenarioLoader = Callable[..., Timeline]


def read_scenario(
    name: str,
    *,
    policy: str | None = None,
    drop: Iterable[str] = (),
    add: Iterable[dict[str, Any]] = (),
) -> Timeline:
    """A scenario file as a timeline, optionally under another policy, minus or plus events."""
    data = json.loads((SCENARIOS / f"{name}.json").read_text(encoding="utf-8"))
    dropped = set(drop)
    data["events"] = [e for e in data["events"] if e["id"] not in dropped] + list(add)
    if policy is not None:
        data["policy"] = policy
    return load_timeline(data)


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
    return load_knowledge()


@pytest.fixture()
def scenario() -> ScenarioLoader:
    return read_scenario


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def reason_ids(decision: DispenseDecision) -> list[str]:
    """The requirement ids a refusal names, in the order the pharmacist reads them."""
    return [reason.requirement_id for reason in decision.reasons]


def status(report: ProgrammeReport, requirement_id: str) -> RequirementStatus:
    """The status of one requirement of the report."""
    for requirement in report.requirements:
        if requirement.id == requirement_id:
            return requirement.status
    raise AssertionError(f"no requirement {requirement_id}")
