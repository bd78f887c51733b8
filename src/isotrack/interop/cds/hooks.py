"""One hook call -> the cards: which cards each hook gets, in the order a prescriber reads them.

Order: what forbids (critical), then what the order gives, then what is due. The caller (the
service layer) has found the course, assessed it and fetched what the EHR did not prefetch.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Hashable, Sequence
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
DRAFTS_KEPT = 256
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
    # Names the knowledge base in force (database, clinic settings change); with it, the same
    # draft orders asked about again (order-select then order-sign, a retried call) are read
    # once. None reads them every time.
    knowledge_key: Hashable | None = None


def product_names(knowledge: Knowledge) -> dict[str, str]:
    return {p.id: p.name for p in knowledge.products.values()}


def drafts_of(request: HookRequest, knowledge: Knowledge, policy: str | None, today: dt.date) -> (
    DraftOrders
):  # fmt: skip
    context = request.context
    return _read_drafts(
        request.hook, context.get("draftOrders"), context.get("selections"), knowledge, policy,
        today,
    )  # fmt: skip


def _read_drafts(
    hook: str, draft_orders: Any, selections: Any, knowledge: Knowledge, policy: str | None,
    today: dt.date,
) -> DraftOrders:  # fmt: skip
    if hook != "order-select":
        selections = None
    elif selections is not None and not isinstance(selections, list):
        selections = []
    return read_draft_orders(
        draft_orders, product_names(knowledge), generic_product_for(policy),
        today, [s for s in selections if isinstance(s, str)] if selections is not None else None,
        rxnorm_products(knowledge),
    )  # fmt: skip


@dataclass(frozen=True)
class _KnowledgeKeyed:
    """The knowledge base, equal and hashed by the key that names it (hashing the base itself
    would walk every fact)."""

    key: Hashable
    knowledge: Knowledge = field(compare=False, hash=False)


@functools.lru_cache(maxsize=DRAFTS_KEPT)
def _drafts_read(
    keyed: _KnowledgeKeyed, hook: str, orders_json: str, policy: str | None, today: dt.date
) -> DraftOrders:
    draft_orders, selections = json.loads(orders_json)
    return _read_drafts(hook, draft_orders, selections, keyed.knowledge, policy, today)


def _drafts(given: HookInput, policy: str | None) -> DraftOrders:
    """The draft orders of the call, read once per (knowledge base, orders, policy, day). The
    answer is shared between calls and only read."""
    request = given.request
    if given.knowledge_key is None:
        return drafts_of(request, given.knowledge, policy, given.today)
    # Only what the reading looks at is in the key: not the hookInstance, not the tokens.
    orders = [request.context.get("draftOrders"), request.context.get("selections")]
    return _drafts_read(
        _KnowledgeKeyed(given.knowledge_key, given.knowledge),
        request.hook,
        json.dumps(orders, sort_keys=True, separators=(",", ":")),
        policy,
        given.today,
    )


def hook_cards(given: HookInput) -> HookCards:
    request = given.request
    ordering = request.hook in ORDER_HOOKS
    found = HookCards()
    policy = given.timeline.policy if given.timeline else None
    drafts = _drafts(given, policy) if ordering else None
    if drafts is not None:
        found.orders_found = len(drafts.orders)
        if ordering and not drafts.orders:
            # Not an isotretinoin order (or none selected): isotrack has nothing to say.
            return found
    if given.timeline is None or given.assessment is None:
        if drafts is not None and not any(o.medicine_known for o in drafts.orders):
            # A patient isotrack does not know, ordering a medicine nobody can name here:
            # nothing to check, and no reason to suggest enrolment.
            return found
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
