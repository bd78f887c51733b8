"""Cards about a course isotrack holds: what the ordered dose gives, what will block dispensing,
clinical holds and critical alerts, contraindications and interactions, labs due.

Pure: the assessment and the prescription check come from the engines; this module only
chooses words, indicators and suggestions. Critical cards name the alert ids an override of
that card reviews (:attr:`CourseCards.overridable`).
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from isotrack.domain.events import PrescriptionWritten
from isotrack.domain.timeline import Timeline
from isotrack.engines.dose import DoseProgress
from isotrack.engines.monitoring import MonitoringReport
from isotrack.engines.monitoring.alerts import Alert
from isotrack.engines.monitoring.screening import ScreenedTerm, screen_terms, screening_alerts
from isotrack.engines.prescribing import PrescriptionCheck, check_prescription
from isotrack.engines.programme import ProgrammeReport
from isotrack.engines.programme.policy import active_policy
from isotrack.engines.programme.report import RequirementStatus
from isotrack.interop.cds.card_parts import CardLinks, bullet_list, make_card
from isotrack.interop.cds.draft_orders import DraftOrder
from isotrack.interop.cds.models import Action, Card, Suggestion
from isotrack.knowledge import Knowledge
from isotrack.knowledge.monitoring import InputKind, Severity

_BLOCKING = (RequirementStatus.UNMET, RequirementStatus.UNKNOWN, RequirementStatus.DUE)


class CourseStanding(Protocol):
    """What the cards read of a course: three engine answers (a full ``Assessment`` has them;
    the CDS service computes only these)."""

    @property
    def dose(self) -> DoseProgress: ...
    @property
    def programme(self) -> ProgrammeReport: ...
    @property
    def monitoring(self) -> MonitoringReport: ...


# Checks a draft order against the course (``check_prescription``; the caller may keep answers).
OrderCheck = Callable[[PrescriptionWritten], PrescriptionCheck]


@dataclass
class CourseCards:
    cards: list[Card] = field(default_factory=list)
    # card uuid -> the alert ids an override of that card reviews
    overridable: dict[str, list[str]] = field(default_factory=dict)

    def add(self, card: Card, alert_ids: Sequence[str] = ()) -> None:
        self.cards.append(card)
        if alert_ids:
            self.overridable[card.uuid] = list(alert_ids)


@dataclass(frozen=True)
class CourseFacts:
    knowledge: Knowledge
    timeline: Timeline
    assessment: CourseStanding
    today: dt.date
    hook_instance: str
    links: CardLinks
    check_order: OrderCheck | None = None


def _product_name(knowledge: Knowledge, product_id: str | None) -> str:
    product = knowledge.products.get(product_id or "")
    return product.name if product else "isotretinoin"


def _progress_line(facts: CourseFacts, added_mg: float) -> str:
    dose = facts.assessment.dose
    cumulative = (dose.cumulative_mg or 0.0) + added_mg
    target = dose.target
    weight = dose.latest_weight_kg
    if weight and target:
        return (f"cumulative {cumulative / weight:.0f} mg/kg of a {target.low_mg_per_kg:g}–"
                f"{target.high_mg_per_kg:g} mg/kg target")  # fmt: skip
    return f"cumulative {cumulative:.0f} mg (no weight recorded: mg/kg unknown)"


def _regimen_text(check: PrescriptionCheck) -> str:
    if not check.regimen:
        return ""
    days = [
        " + ".join(f"{c.count} × {c.strength_mg:g} mg" for c in day.capsules)
        for day in check.regimen
    ]
    return "Capsules: " + "; then ".join(days) + (" (repeating)" if len(days) > 1 else "")


def _days_supply_suggestion(facts: CourseFacts, order: DraftOrder) -> Suggestion:
    limit = active_policy(facts.knowledge, facts.timeline.policy).count("max_days_supply")
    resource: dict[str, Any] = copy.deepcopy(dict(order.resource))
    request = resource.setdefault("dispenseRequest", {})
    request["expectedSupplyDuration"] = {
        "value": limit, "unit": "days", "system": "http://unitsofmeasure.org", "code": "d",
    }  # fmt: skip
    return Suggestion(
        label=f"Change days' supply to {limit}",
        isRecommended=True,
        actions=[Action(type="update", description=f"Set the days' supply to {limit}",
                        resource=resource)],
    )  # fmt: skip


def order_cards(facts: CourseFacts, order: DraftOrder, rx: PrescriptionWritten) -> CourseCards:
    """The regimen and cumulative progress the order gives, and why it cannot be signed."""
    found = CourseCards()
    check = (
        facts.check_order(rx)
        if facts.check_order is not None
        else check_prescription(facts.knowledge, facts.timeline, rx, facts.today)
    )
    name = _product_name(facts.knowledge, rx.product)
    progress = _progress_line(facts, rx.daily_dose_mg * rx.days_supply)
    detail = [
        f"{name}, {rx.daily_dose_mg:g} mg a day for {rx.days_supply} days ({rx.refills} refills).",
        f"After this supply: {progress}.",
        _regimen_text(check),
        *(w.message for w in check.warnings),
    ]
    found.add(make_card(
        facts.hook_instance, "regimen", order.key,
        summary=f"{rx.daily_dose_mg:g} mg/day × {rx.days_supply} days: {progress}",
        indicator="warning" if check.warnings else "info",
        detail="\n".join(line for line in detail if line),
        links=facts.links, topic="Regimen and cumulative dose",
    ))  # fmt: skip
    if check.field_errors:
        suggestions = (
            [_days_supply_suggestion(facts, order)]
            if any(e.field == "days_supply" for e in check.field_errors)
            else None
        )
        found.add(make_card(
            facts.hook_instance, "order-not-allowed", order.key,
            summary="This isotretinoin order cannot be dispensed as written: "
            + "; ".join(e.message for e in check.field_errors),
            indicator="critical",
            detail=bullet_list([e.message for e in check.field_errors]),
            links=facts.links, topic="Order limits", suggestions=suggestions,
        ))  # fmt: skip
    return found


def progress_card(facts: CourseFacts) -> Card:
    dose = facts.assessment.dose
    return make_card(
        facts.hook_instance, "progress", "",
        summary=f"Isotretinoin course ({dose.status}): {_progress_line(facts, 0.0)}",
        indicator="info",
        detail="\n".join(dose.reasons) or None,
        links=facts.links, topic="Cumulative dose",
    )  # fmt: skip


def _requirement_line(title: str, message: str, due: dt.date | None) -> str:
    return f"{title}: {message}" + (f" (due {due.isoformat()})" if due else "")


def programme_card(facts: CourseFacts) -> Card | None:
    blocking = [
        r for r in facts.assessment.programme.requirements
        if r.gates_dispense and r.status in _BLOCKING
    ]  # fmt: skip
    if not blocking:
        return None
    dated = sorted(r.due_date for r in blocking if r.due_date)
    first_due = f", first due {dated[0].isoformat()}" if dated else ""
    return make_card(
        facts.hook_instance, "programme", "",
        summary=f"{len(blocking)} programme requirement(s) will block dispensing{first_due}: "
        + ", ".join(r.title for r in blocking),
        indicator="warning",
        detail=bullet_list([_requirement_line(r.title, r.message, r.due_date) for r in blocking]),
        links=facts.links, topic="Pregnancy-prevention programme",
    )  # fmt: skip


def _alert_card(facts: CourseFacts, alert: Alert, holding: bool) -> Card:
    prefix = "Clinical hold" if holding else "Critical alert"
    return make_card(
        facts.hook_instance, "alert", alert.id,
        summary=f"{prefix}: {alert.message}",
        indicator="critical",
        detail=f"{alert.message}\n\nWhat to do: {alert.action}",
        links=facts.links, topic="Clinical holds and critical alerts",
    )  # fmt: skip


def safety_cards(facts: CourseFacts, ehr_medications: Sequence[str]) -> CourseCards:
    """Clinical holds, critical alerts, and contraindications and interactions (those of the
    course and those of the EHR's active medication orders)."""
    found = CourseCards()
    monitoring = facts.assessment.monitoring
    holding_ids = {h.alert_id for h in monitoring.safety.clinical_holds}
    alerts = list(monitoring.alerts)
    if ehr_medications:
        report = screen_terms(
            facts.knowledge,
            [ScreenedTerm(kind=InputKind.MEDICATION, text=m) for m in ehr_medications],
            age_years=None, product_id=monitoring.screening.product,
        )  # fmt: skip
        alerts.extend(a for a in screening_alerts(report) if a.code != "SCREEN_UNKNOWN_TERM")
    seen: set[str] = set()
    cautions: list[Alert] = []
    for alert in alerts:
        if alert.id in seen:
            continue
        seen.add(alert.id)
        if alert.severity is Severity.CRITICAL or alert.id in holding_ids:
            found.add(_alert_card(facts, alert, alert.id in holding_ids), [alert.id])
        elif alert.topic == "screening" and alert.code != "SCREEN_UNKNOWN_TERM":
            cautions.append(alert)
    if cautions:
        found.add(make_card(
            facts.hook_instance, "screening", "",
            summary=f"{len(cautions)} contraindication(s) or interaction(s) to weigh: "
            + "; ".join(a.message for a in cautions),
            indicator="warning",
            detail=bullet_list([f"{a.message} — {a.action}" for a in cautions]),
            links=facts.links, topic="Contraindications and interactions",
        ))  # fmt: skip
    return found


def labs_card(facts: CourseFacts, patient_reference: str | None) -> Card | None:
    due = [d for d in facts.assessment.monitoring.labs_due if d.status in ("due", "overdue")]
    if not due:
        return None
    suggestions = [
        Suggestion(
            label=f"Order {d.label.lower()}",
            actions=[
                Action(
                    type="create",
                    description=f"Order {d.label.lower()}",
                    resource=_lab_order(d.label, d.missing_tests, patient_reference),
                )
            ],
        )
        for d in due
    ]
    return make_card(
        facts.hook_instance, "labs", "",
        summary="Labs due: " + "; ".join(f"{d.label} ({d.status})" for d in due),
        indicator="warning" if any(d.status == "overdue" for d in due) else "info",
        detail=bullet_list([
            f"{d.label}: {', '.join(d.missing_tests)}"
            + (f" (due {d.due_date.isoformat()})" if d.due_date else "") for d in due
        ]),
        links=facts.links, topic="Monitoring labs", suggestions=suggestions,
    )  # fmt: skip


def _lab_order(label: str, tests: list[str], patient_reference: str | None) -> dict[str, Any]:
    order: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "status": "draft",
        "intent": "proposal",
        "code": {"text": f"{label}: {', '.join(tests)}"},
    }
    if patient_reference:
        order["subject"] = {"reference": patient_reference}
    return order
