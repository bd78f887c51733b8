"""The shape every event mapping has, and the contexts the writer and reader hand to it.

One :class:`EventMapping` per timeline event type. Adding an event type to the FHIR mapping is
one small module that defines its mapping and one line in ``registry.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from isotrack.domain.events import EventBase, PrescriptionWritten
from isotrack.interop.fhir.elements import JsonDict


@dataclass(frozen=True)
class WriteContext:
    """What a mapper may need beyond its own event."""

    patient_reference: JsonDict
    prescriptions: Mapping[str, PrescriptionWritten]
    # ``Type/id`` of the resource each event became, for references between resources.
    resource_keys: Mapping[str, str]
    product_names: Mapping[str, str]
    # LOINC code of a lab test named by an isotrack short name, per unit
    lab_loinc_by_name: Mapping[str, Mapping[str, str]]


@dataclass
class ReadContext:
    """What a mapper may need while reading; problems are appended as plain sentences."""

    # event id of the resource each ``Type/id`` came from
    event_ids: Mapping[str, str]
    product_names: Mapping[str, str]
    generic_product: str
    lab_loinc: frozenset[str]
    # ``Observation/id`` -> date of the DiagnosticReport whose ``result`` lists it
    report_dates: Mapping[str, str] = field(default_factory=dict)
    # RxCUI of an isotretinoin clinical drug -> its product id ("" for a generic strength)
    rxnorm_products: Mapping[str, str] = field(default_factory=dict)
    # ``Medication/id`` -> a Medication resource that travelled beside the orders naming it
    medications: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


ToFhir = Callable[[Any, WriteContext], JsonDict]
# Returns the event's own fields (``date`` included, ``id``/``type`` excluded), or None with a
# reason in ``ReadContext.warnings`` when the resource cannot become this event.
FromFhir = Callable[[JsonDict, ReadContext], dict[str, Any] | None]
Recognises = Callable[[JsonDict, ReadContext], bool]


@dataclass(frozen=True)
class EventMapping:
    """How one event type travels as one FHIR resource type."""

    event_type: str
    resource_type: str
    to_fhir: ToFhir
    from_fhir: FromFhir
    # For data isotrack did not write (no event-type tag): does this resource look like it?
    recognises: Recognises
    event_class: type[EventBase] | None = None
