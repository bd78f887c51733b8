"""A clinic's own settings laid over the knowledge base, as overrides of its policies.

The admin console's programme settings (the urine kit the clinic stocks, the date an edition
comes into force, a clinic policy of the knowledge base adopted for every course of its
edition) become :class:`PolicyOverride` records appended to the named policies *before* the
policies that extend them are merged, and the kit's figure becomes a fact of its own. The
knowledge then loads with every check it always runs, so a setting can never produce a
knowledge base that would not start; and each output already lists the overrides.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field

from pydantic import BaseModel

from isotrack.knowledge.model import Fact, Policy, PolicyOverride

ORIGIN = "clinic settings (admin console)"


@dataclass(frozen=True)
class ClinicOverlay:
    """Overrides per policy id (appended after the policy's own) and the facts they name."""

    overrides: Mapping[str, tuple[PolicyOverride, ...]] = field(default_factory=dict)
    facts: tuple[Fact, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.facts and not any(self.overrides.values())


@dataclass(frozen=True)
class SettingsPeriod:
    """The clinic's programme settings as they stood from one change (``since``, the store's
    ISO 8601 UTC time of that change) until the next."""

    since: str
    overlay: ClinicOverlay


def settings_in_force(
    history: Sequence[SettingsPeriod], recorded_at: str | None, day: dt.date
) -> ClinicOverlay | None:
    """The overlay in force when an event was recorded; for one with no recording time
    (imported with its course), at the start of its day: a change made that day is not known
    to have come before it. ``None`` before the first change."""
    moment = recorded_at or day.isoformat()  # "2026-11-30" sorts before that day's times
    in_force = None
    for period in history:
        if period.since > moment:
            break
        in_force = period.overlay
    return in_force


def lay_over(
    sections: MutableMapping[str, dict[str, BaseModel]],
    origin: dict[str, str],
    overlay: ClinicOverlay,
) -> list[str]:
    """Add the overlay's facts and overrides to the raw records, in place; the problems."""
    problems: list[str] = []
    facts = sections.setdefault("fact", {})
    for fact in overlay.facts:
        if fact.id in facts:
            problems.append(f"{ORIGIN}: fact {fact.id!r} is already in the knowledge base")
            continue
        facts[fact.id] = fact
        origin[f"fact:{fact.id}"] = ORIGIN
    policies = sections.get("policy", {})
    for policy_id, overrides in overlay.overrides.items():
        policy = policies.get(policy_id)
        if not isinstance(policy, Policy):
            problems.append(f"{ORIGIN}: no policy {policy_id!r} to override")
            continue
        policies[policy_id] = policy.model_copy(
            update={"overrides": [*policy.overrides, *overrides]}
        )
    return problems
