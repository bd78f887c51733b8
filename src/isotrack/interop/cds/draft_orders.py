"""Draft isotretinoin orders of an order-select or order-sign request, read entry by entry.

Real ``draftOrders`` are often not valid R4 (no ``Bundle.type``, STU3 ``doseQuantity``, ``"..."``
placeholders, orders without ``intent`` or ``medication[x]``). Each entry is read on its own
with the FHIR mapping's reader; what cannot be read becomes a sentence shown on a card, never
an exception. Orders for anything other than isotretinoin are left alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from isotrack.domain.events import PrescriptionWritten
from isotrack.interop.fhir.map_orders import prescription_from_fhir
from isotrack.interop.fhir.mapping import ReadContext
from isotrack.interop.fhir.medication import (
    medication_concept_of,
    medications_of,
    recognised_product,
    unknown_medicine,
    unresolved_medication,
)
from isotrack.interop.fhir.reader import resources_of
from isotrack.interop.fhir.report import ConversionReport

DRAFT_EVENT_ID = "cds-draft-order"


@dataclass(frozen=True)
class DraftOrder:
    """One isotretinoin order: read into a prescription, or the reasons it could not be. An
    order whose medicine is only a reference to a Medication not sent may be isotretinoin:
    it is kept, unread, with ``medicine_known`` false."""

    key: str  # ``MedicationRequest/<id>``, or ``draftOrders entry <n>`` without an id
    resource: Mapping[str, Any]
    prescription: PrescriptionWritten | None
    problems: tuple[str, ...] = ()
    medicine_known: bool = True


@dataclass
class DraftOrders:
    orders: list[DraftOrder] = field(default_factory=list)
    # Problems with the document itself (not valid JSON, placeholder entries, no Bundle.type)
    problems: list[str] = field(default_factory=list)


def _key(resource: Mapping[str, Any], index: int) -> str:
    rid = resource.get("id")
    if isinstance(rid, str) and rid:
        return f"{resource.get('resourceType')}/{rid}"
    return f"draftOrders entry {index + 1}"


def _prescription(
    resource: dict[str, Any], ctx: ReadContext, today: dt.date
) -> tuple[PrescriptionWritten | None, list[str]]:
    try:
        fields = prescription_from_fhir(resource, ctx)
    except (TypeError, ValueError, AttributeError, KeyError):
        # A shape no reader foresaw (a string where an object belongs): say so, do not crash.
        return None, [*ctx.warnings, "the order's shape could not be read"]
    if fields is None:
        return None, list(ctx.warnings)
    # A draft is usually not dated yet: it is signed today.
    fields["date"] = fields.get("date") or today.isoformat()
    fields.setdefault("product", ctx.generic_product)
    fields = {k: v for k, v in fields.items() if v is not None}
    try:
        rx = PrescriptionWritten.model_validate({"id": DRAFT_EVENT_ID, **fields})
    except ValidationError as exc:
        problems = [
            f"{'.'.join(str(p) for p in error['loc']) or 'order'}: {error['msg']}"
            for error in exc.errors(include_url=False)
        ]
        return None, [*ctx.warnings, *problems]
    return rx, list(ctx.warnings)


def read_draft_orders(
    draft_orders: Any,
    product_names: Mapping[str, str],
    generic_product: str,
    today: dt.date,
    selections: Sequence[str] | None = None,
    rxnorm_products: Mapping[str, str] | None = None,
) -> DraftOrders:
    """The isotretinoin orders in ``draft_orders``; with ``selections`` (order-select), only
    the selected ones (``Type/id``), never simply the first entry."""
    report = ConversionReport()
    resources = resources_of(draft_orders, report)
    found = DraftOrders(problems=[f"{w.where}: {w.message}" for w in report.warnings])
    wanted = set(selections) if selections is not None else None
    medications = medications_of(resources)
    for index, resource in enumerate(resources):
        if resource.get("resourceType") != "MedicationRequest":
            continue
        key = _key(resource, index)
        if wanted is not None and key not in wanted:
            continue
        rxnorm = rxnorm_products or {}
        unknown = unresolved_medication(resource, medications)
        if unknown is not None:
            problem = unknown_medicine(unknown, "the draft orders")
            found.orders.append(DraftOrder(key, resource, None, (problem,), medicine_known=False))
            continue
        concept = medication_concept_of(resource, medications)
        if recognised_product(concept, product_names, rxnorm) is None:
            continue
        ctx = ReadContext(
            event_ids={}, product_names=product_names, generic_product=generic_product,
            lab_loinc=frozenset(), rxnorm_products=rxnorm, medications=medications,
        )  # fmt: skip
        rx, problems = _prescription(resource, ctx, today)
        found.orders.append(DraftOrder(key, resource, rx, tuple(problems)))
    return found
