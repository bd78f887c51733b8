"""The dispense decision as the pharmacist's and the prescriber's pages word it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from isotrack.engines.programme import DispenseDecision
from isotrack.knowledge.model import Source
from isotrack.web.history import SourceRef, source_refs


@dataclass(frozen=True)
class ReasonView:
    requirement_id: str
    message: str
    rule_id: str | None
    sources: list[SourceRef]


@dataclass(frozen=True)
class HoldView:
    """A clinical hold as the pharmacist reads it; ``alert_id`` only in attributes."""

    alert_id: str
    date: dt.date
    severity: str
    message: str
    action: str
    sources: list[SourceRef]


@dataclass(frozen=True)
class DecisionView:
    on: dt.date
    authorized: bool
    prescription_id: str | None
    dispense_by: dt.date | None
    max_days_supply: int | None
    reasons: list[ReasonView]
    next_steps: list[str]
    notes: list[str]
    authorization_code: str | None = None
    programme_met: bool = False
    clinical_holds: list[HoldView] = field(default_factory=list)
    course_status: str = "active"


def _who(role: str) -> str:
    return {"prescriber": "Prescriber", "pharmacist": "Pharmacist", "patient": "Patient"}.get(
        role, role.capitalize()
    )


def decision_view(
    sources: Mapping[str, Source], decision: DispenseDecision, code: str | None = None
) -> DecisionView:
    """The dispense decision in the words and dates a pharmacist acts on."""
    steps = []
    for step in decision.next_steps:
        text = f"{_who(step.who)}: {step.what}"
        if step.not_before is not None:
            text += f" (not before {step.not_before.isoformat()})"
        if step.by is not None:
            text += f" (by {step.by.isoformat()})"
        steps.append(text)
    reasons = [
        ReasonView(r.requirement_id, r.message, r.rule_id, source_refs(sources, r.source_ids))
        for r in decision.reasons
    ]
    return DecisionView(
        on=decision.on,
        authorized=decision.authorized,
        prescription_id=decision.prescription_id,
        dispense_by=decision.dispense_by,
        max_days_supply=decision.max_days_supply,
        reasons=reasons,
        next_steps=steps,
        notes=list(decision.notes),
        authorization_code=code,
        programme_met=decision.programme_met,
        clinical_holds=[
            HoldView(
                h.alert_id,
                h.date,
                str(h.severity),
                h.message,
                h.action,
                source_refs(sources, h.source_ids),
            )
            for h in decision.clinical_holds
        ],
        course_status=decision.course_status,
    )
