"""The prescription form's state between tries: what was typed, the errors by field, the holds
to override with a reason, and the warnings to confirm (see ``templates/_prescribe.html``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from isotrack.web.event_forms import EventForm
from isotrack.web.safety_view import HoldRow


@dataclass
class PrescribeState:
    can_sign: bool
    signer: str
    form: EventForm
    holds: list[HoldRow]
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)
    hold_errors: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    stopped: str | None = None  # "stopped: pregnancy": no prescription can be signed
    from_plan: str | None = None  # the fields came from a phase of the saved plan

    @property
    def second(self) -> bool:
        """A warning needs a second, separate confirmation (above the labelled maximum)."""
        return any(w.get("needs_second_confirmation") for w in self.warnings)


def reviews_from_form(alert_ids: list[str], notes: list[str], on: dt.date) -> list[dict[str, Any]]:
    """One ``continue`` review per hold the prescriber gave a reason for (blank: none sent, so
    the service refuses and names the hold)."""
    return [
        {"alert_id": alert_id, "outcome": "continue", "note": note.strip(), "date": on.isoformat()}
        for alert_id, note in zip(alert_ids, notes, strict=False)
        if note.strip()
    ]
