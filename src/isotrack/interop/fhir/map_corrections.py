"""Voids and amendments as Provenance (activity NULLIFY or UPDATE) naming the corrected
resource. The corrected resource itself is written as it stands after every correction
(``entered-in-error`` when voided), so an EHR that ignores Provenance still sees the current
facts; the amended fields travel in an isotrack extension so the timeline can be rebuilt."""

from __future__ import annotations

import json
from typing import Any

from isotrack.domain.events import EventAmended, EventVoided
from isotrack.interop.fhir import codes
from isotrack.interop.fhir.elements import (
    JsonDict,
    coding,
    concept,
    date_part,
    extension,
    extension_value,
    first,
    has_code,
    reference_key,
    text_of,
)
from isotrack.interop.fhir.mapping import EventMapping, ReadContext, WriteContext


def _provenance(event: EventVoided | EventAmended, operation: str, ctx: WriteContext) -> JsonDict:
    target = ctx.resource_keys.get(event.target_id)
    return {
        "resourceType": "Provenance",
        "target": [{"reference": target}] if target else [{"display": event.target_id}],
        "occurredDateTime": event.date.isoformat(),
        "recorded": f"{event.date.isoformat()}T00:00:00Z",
        "activity": concept(coding(codes.V3_DATA_OPERATION, operation)),
        "reason": [concept(text=event.reason)],
        "agent": [{"who": {"display": event.recorded_by or "isotrack"}}],
    }


def void_to_fhir(event: EventVoided, ctx: WriteContext) -> JsonDict:
    return _provenance(event, "NULLIFY", ctx)


def amend_to_fhir(event: EventAmended, ctx: WriteContext) -> JsonDict:
    resource = _provenance(event, "UPDATE", ctx)
    changes = json.dumps(event.changes, sort_keys=True)
    resource["extension"] = [extension(codes.EXT_AMEND_CHANGES, valueString=changes)]
    return resource


def _common(resource: JsonDict, ctx: ReadContext) -> dict[str, Any] | None:
    target = ctx.event_ids.get(reference_key(first(resource.get("target"))) or "")
    if target is None:
        ctx.warnings.append("the correction names a resource isotrack has not read")
        return None
    return {
        "date": date_part(resource.get("occurredDateTime")) or date_part(resource.get("recorded")),
        "target_id": target,
        "reason": text_of(first(resource.get("reason"))) or "corrected in the source record",
    }


def amend_from_fhir(resource: JsonDict, ctx: ReadContext) -> dict[str, Any] | None:
    fields = _common(resource, ctx)
    raw = extension_value(resource, codes.EXT_AMEND_CHANGES, "valueString")
    try:
        changes = json.loads(raw) if isinstance(raw, str) else None
    except json.JSONDecodeError:
        changes = None
    if fields is None or not isinstance(changes, dict):
        ctx.warnings.append("the amendment does not carry the amended fields")
        return None
    return {**fields, "changes": changes}


def _activity(operation: str) -> Any:
    return lambda r, ctx: has_code(r.get("activity"), codes.V3_DATA_OPERATION, (operation,))


VOID = EventMapping("void", "Provenance", void_to_fhir, _common, _activity("NULLIFY"))
AMEND = EventMapping("amend", "Provenance", amend_to_fhir, amend_from_fhir, _activity("UPDATE"))
