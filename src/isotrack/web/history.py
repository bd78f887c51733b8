"""The event history of a course as the course page shows it: who recorded what, and corrections.

Voided events stay in the list, struck through, with the reason from the void; an amended event
shows its amendment. Nothing is hidden: the log is the record.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pydantic import BaseModel

from isotrack.domain.event_status import EventStatus, event_statuses, void_reasons
from isotrack.domain.events import CoursePlanned, EventAmended, EventBase, EventVoided
from isotrack.knowledge.model import Source

_BASE_FIELDS = {"id", "type", "date", "time", "recorded_by", "note"}
_REVIEW_OUTCOMES = {
    "continue": "continue treatment",
    "hold": "keep on hold",
    "stop": "stop the course",
}

EVENT_LABELS: dict[str, str] = {
    "weight": "Weight",
    "prescription": "Prescription",
    "dispense": "Dispense",
    "dose_change": "Dose change",
    "dose_missed": "Missed doses",
    "pause": "Pause",
    "resume": "Resume",
    "course_start": "First dose",
    "course_end": "Course end",
    "pregnancy_test": "Pregnancy test",
    "contraception": "Contraception",
    "counselling": "Counselling",
    "comprehension_check": "Comprehension check",
    "enrolment": "Enrolment",
    "category": "Category",
    "lab_result": "Lab result",
    "adverse_event": "Side effect",
    "mood_screen": "Mood questionnaire",
    "assessment": "Assessment",
    "acne_assessment": "Acne assessment",
    "medication": "Other medicine",
    "condition": "Condition",
    "allergy": "Allergy",
    "visit": "Visit",
    "pregnancy_reported": "Pregnancy reported",
    "pregnancy_outcome": "Outcome of the pregnancy",
    "alert_review": "Alert reviewed by the prescriber",
    "course_plan": "Course plan saved",
    "void": "Correction (void)",
    "amend": "Correction (amend)",
}


# Field names a person would not say, in the words of the clinic.
FIELD_WORDS = {
    "registry_id": "programme patient id",
    "sensitivity_miu_per_ml": "test sensitivity (mIU/mL)",
    "daily_dose_mg": "daily dose (mg)",
    "days_supply": "days' supply",
    "target_id": "corrects",
    "weight_kg": "weight (kg)",
}


@dataclass(frozen=True)
class SourceRef:
    """A citation as a page shows it: the id, a short label and where to read it."""

    id: str
    label: str
    href: str | None


def source_refs(sources: Mapping[str, Source], ids: Sequence[str]) -> list[SourceRef]:
    """Citations for ``ids`` from the bibliography; an unknown id is still shown, never dropped."""
    refs: list[SourceRef] = []
    for source_id in ids:
        source = sources.get(source_id)
        if source is None:
            refs.append(SourceRef(source_id, source_id, None))
            continue
        year = f" {source.year}" if source.year else ""
        href = f"https://doi.org/{source.doi}" if source.doi else source.url
        if href is not None and not href.startswith(("http://", "https://")):
            href = None  # project documents are not served by the app
        refs.append(SourceRef(source_id, f"{source.issuer}{year}", href))
    return refs


def _value_text(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return ", ".join(_value_text(v) for v in value) or "none"
    if isinstance(value, BaseModel):
        return ", ".join(f"{k} {_value_text(v)}" for k, v in value.model_dump().items())
    return str(value).replace("_", " ")


def plan_text(plan: CoursePlanned, product_name: str | None = None) -> str:
    """A saved plan in one line: product, weight, the phases, the target and why it changed."""
    phases = ", then ".join(
        f"{_value_text(p.mg_per_kg_per_day)} mg/kg/day"
        + (f" for {p.weeks} weeks" if p.weeks else " to the end")
        for p in plan.phases
    )
    if plan.target_mg_per_kg is not None:
        target = f"target {_value_text(plan.target_mg_per_kg)} mg/kg"
    else:
        target = "treat to clearance" if plan.treat_to_clearance else "no cumulative target"
    why = f". Reason for the change: {plan.reason}" if plan.reason else ""
    product = product_name or plan.product
    return f"{product}, {_value_text(plan.weight_kg)} kg: {phases}; {target}{why}"


def describe_event(event: EventBase) -> str:
    """One readable line with what the event says (its own fields, not the common ones)."""
    match event.type:  # type: ignore[attr-defined]
        case "weight":
            return f"{_value_text(event.weight_kg)} kg"  # type: ignore[attr-defined]
        case "prescription":
            return (
                f"{event.product} {_value_text(event.daily_dose_mg)} mg/day, "  # type: ignore[attr-defined]
                f"{event.days_supply} days"  # type: ignore[attr-defined]
            )
        case "pregnancy_test":
            return f"{event.result} — {event.kind} test, {event.setting} setting"  # type: ignore[attr-defined]
        case "lab_result":
            return f"{event.test} {_value_text(event.value)} {event.unit}"  # type: ignore[attr-defined]
        case "acne_assessment":
            who = "self-report" if event.assessed_by == "patient" else "clinic"  # type: ignore[attr-defined]
            counted = sum(c for s in event.lesions.values() for c in s.model_dump().values() if c)  # type: ignore[attr-defined]
            lesions = f", {counted} lesions counted" if event.lesions else ""  # type: ignore[attr-defined]
            return f"{event.scale.upper()} grade {event.grade} ({who}){lesions}"  # type: ignore[attr-defined]
        case "mood_screen":
            scores = event.item_scores  # type: ignore[attr-defined]
            return f"PHQ-9 total {sum(scores)}, item 9 = {scores[-1]}"
        case "alert_review":
            # The alert is named by its id, which people are not shown: the decision and why.
            return f"Decision: {_REVIEW_OUTCOMES[event.outcome]} — “{event.note}”"  # type: ignore[attr-defined]
        case "course_plan":
            return plan_text(event)  # type: ignore[arg-type]
        case "pregnancy_outcome":
            details = f" — {event.details}" if event.details else ""  # type: ignore[attr-defined]
            return f"{_value_text(event.outcome)}{details}"  # type: ignore[attr-defined]
        case "acne_assessment":
            who = "patient's own report" if event.assessed_by == "patient" else "by the clinic"  # type: ignore[attr-defined]
            scale = "IGA" if event.scale == "iga" else "GAGS"  # type: ignore[attr-defined]
            return f"{scale} grade {event.grade} ({who})"  # type: ignore[attr-defined]
    parts = []
    for name, value in event.model_dump(exclude_none=True).items():
        if name in _BASE_FIELDS or value in ([], {}):
            continue
        label = FIELD_WORDS.get(name, name.replace("_", " "))
        parts.append(f"{label}: {_value_text(value)}")
    return "; ".join(parts)


@dataclass(frozen=True)
class HistoryRow:
    id: str
    date: dt.date
    type: str
    label: str
    summary: str
    recorded_by: str
    note: str | None
    status: EventStatus
    void_reason: str | None
    correction_of: str | None  # for void/amend rows: the event they correct

    @property
    def voided(self) -> bool:
        return self.status is EventStatus.VOIDED

    @property
    def amended(self) -> bool:
        return self.status is EventStatus.AMENDED

    @property
    def correctable(self) -> bool:
        """A current record of the clinic's (not itself a correction) may be amended."""
        return self.status is EventStatus.CURRENT and self.type not in ("void", "amend")


def _correction_text(event: EventVoided | EventAmended, target: EventBase | None) -> str:
    """What a correction did, in words: which record, what changed from what, and why."""
    what = "an earlier record"
    if target is not None:
        kind = EVENT_LABELS.get(getattr(target, "type", ""), "record")
        what = f"the {kind.lower()} of {target.date.isoformat()}"
    if isinstance(event, EventVoided):
        return f"Withdrew {what}. Reason: {event.reason}"
    changed = []
    for name, value in event.changes.items():
        before = getattr(target, name, None) if target is not None else None
        label = FIELD_WORDS.get(name, name.replace("_", " "))
        old = "—" if before is None else _value_text(before)
        changed.append(f"{label} {old} → {_value_text(value)}")
    return f"Changed {what}: {'; '.join(changed)}. Reason: {event.reason}"


def history_rows(events: Sequence[EventBase]) -> list[HistoryRow]:
    """Every recorded event, newest first, with its status (``domain.event_status``) and the
    reason of the void that stands against a voided one."""
    statuses = event_statuses(events)
    void_reason = void_reasons(events)
    rows: list[HistoryRow] = []
    by_id = {event.id: event for event in events}
    for event in events:
        event_type: str = getattr(event, "type", "?")
        target = event.target_id if isinstance(event, (EventVoided, EventAmended)) else None
        summary = describe_event(event)
        if isinstance(event, (EventVoided, EventAmended)):
            summary = _correction_text(event, by_id.get(event.target_id))
        rows.append(
            HistoryRow(
                id=event.id,
                date=event.date,
                type=event_type,
                label=EVENT_LABELS.get(event_type, event_type),
                summary=summary,
                recorded_by=event.recorded_by or "unknown",
                note=event.note,
                status=statuses[event.id],
                void_reason=void_reason.get(event.id),
                correction_of=target,
            )
        )
    order = {e.id: i for i, e in enumerate(events)}
    return sorted(rows, key=lambda r: (r.date, order[r.id]), reverse=True)
