"""One hook call -> the cards: which cards each hook gets, in the order a prescriber reads them.

Order: what forbids (critical), then what the order gives, then what is due. The caller (the
service layer) has found the course, assessed it and fetched what the EHR did not prefetch.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from isotrack.domain.timeline import Timeline
from isotrack.interop.cds import course_cards as cc
from isotrack.interop.cds.card_parts import CardLinks
from isotrack.interop.cds.cards import enrol_card, unchecked_card, unreadable_order_card
from isotrack.interop.cds.draft_orders import DraftOrders, read_draft_orders
from isotrack.interop.cds.models import Card, HookRequest
from isotrack.interop.fhir.medication import generic_product_for
from isotrack.knowledge import Knowledge
from isotrack.knowledge.rxnorm import rxnorm_products

ORDER_HOOKS = ("order-select", "order-sign")
_ORDER = {"critical": 0, "warning": 1, "info": 2}


@dataclass
class HookCards:
    cards: list[Card] = field(default_factory=list)
    overridable: dict[str, list[str]] = field(default_factory=dict)
    # isotretinoin orders found in draftOrders (0 for patient-view)
    orders_found: int = 0


@dataclass(frozen=True)
class HookInput:
    request: HookRequest
    knowledge: Knowledge
    today: dt.date
    links: CardLinks
    timeline: Timeline | None
    assessment: cc.CourseStanding | None
    check_order: cc.OrderCheck | None = None
    ehr_medications: Sequence[str] = ()
    unchecked: Sequence[str] = ()


def product_names(knowledge: Knowledge) -> dict[str, str]:
    return {p.id: p.name for p in knowledge.products.values()}


def drafts_of(request: HookRequest, knowledge: Knowledge, policy: str | None, today: dt.date) -> (
    DraftOrders
):  # fmt: skip
    context = request.context
    selections = context.get("selections") if request.hook == "order-select" else None
    if selections is not None and not isinstance(selections, list):
        selections = []
    return read_draft_orders(
        context.get("draftOrders"), product_names(knowledge), generic_product_for(policy),
        today, [s for s in selections if isinstance(s, str)] if selections is not None else None,
        rxnorm_products(knowledge),
    )  # fmt: skip


def hook_cards(given: HookInput) -> HookCards:
    request = given.request
    ordering = request.hook in ORDER_HOOKS
    found = HookCards()
    policy = given.timeline.policy if given.timeline else None
    drafts = drafts_of(request, given.knowledge, policy, given.today) if ordering else None
    if drafts is not None:
        found.orders_found = len(drafts.orders)
        if ordering and not drafts.orders:
            # Not an isotretinoin order (or none selected): isotrack has nothing to say.
            return found
    if given.timeline is None or given.assessment is None:
        found.cards.append(enrol_card(request.hookInstance, given.links, ordering))
        return found
    facts = cc.CourseFacts(
        given.knowledge, given.timeline, given.assessment, given.today,
        request.hookInstance, given.links, given.check_order,
    )  # fmt: skip
    parts: list[cc.CourseCards] = [cc.safety_cards(facts, given.ehr_medications)]
    if drafts is not None:
        if drafts.problems and any(o.prescription is None for o in drafts.orders):
            found.cards.append(
                unreadable_order_card(request.hookInstance, given.links, None, drafts.problems)
            )
        for order in drafts.orders:
            if order.prescription is None:
                found.cards.append(unreadable_order_card(
                    request.hookInstance, given.links, order, list(order.problems)
                    or ["the dose or the days' supply is missing"],
                ))  # fmt: skip
            else:
                parts.append(cc.order_cards(facts, order, order.prescription))
    else:
        found.cards.append(cc.progress_card(facts))
    for part in parts:
        found.cards.extend(part.cards)
        found.overridable.update(part.overridable)
    for optional in (cc.programme_card(facts), cc.labs_card(facts, _patient_ref(request))):
        if optional is not None:
            found.cards.append(optional)
    if given.unchecked:
        found.cards.append(unchecked_card(request.hookInstance, given.links, list(given.unchecked)))
    found.cards.sort(key=lambda c: _ORDER[c.indicator])
    return found


def _patient_ref(request: HookRequest) -> str | None:
    patient_id: Any = request.context.get("patientId")
    return f"Patient/{patient_id}" if isinstance(patient_id, str) and patient_id else None
