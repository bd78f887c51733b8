"""Small builders and readers of FHIR data types (plain JSON dicts), shared by the mappers.

Mappers build plain dicts; the ``fhir.resources`` models are used only at the edges, to
validate what is emitted (``validation.py``). Readers here never raise on odd shapes: a
missing or mistyped element reads as ``None``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from isotrack.interop.fhir import codes

JsonDict = dict[str, Any]

_FHIR_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")


def coding(system: str, code: str, display: str | None = None) -> JsonDict:
    out: JsonDict = {"system": system, "code": code}
    if display:
        out["display"] = display
    return out


def concept(*codings: JsonDict, text: str | None = None) -> JsonDict:
    out: JsonDict = {}
    if codings:
        out["coding"] = list(codings)
    if text:
        out["text"] = text
    return out


def quantity(value: float, unit: str) -> JsonDict:
    """A Quantity; the UCUM code is added when isotrack knows the unit's UCUM spelling."""
    out: JsonDict = {"value": _number(value), "unit": unit}
    ucum = codes.UCUM_BY_UNIT.get(unit)
    if ucum is not None:
        out["system"] = codes.UCUM
        out["code"] = ucum
    return out


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def extension(url: str, **value: Any) -> JsonDict:
    """``extension("...", valueString="x")``: one extension with one value."""
    return {"url": url, **value}


def add_extension(resource: JsonDict, ext: JsonDict) -> None:
    resource.setdefault("extension", []).append(ext)


def extensions(element: Mapping[str, Any] | None, url: str) -> list[JsonDict]:
    if not isinstance(element, Mapping):
        return []
    found = element.get("extension")
    if not isinstance(found, list):
        return []
    return [e for e in found if isinstance(e, dict) and e.get("url") == url]


def extension_value(element: Mapping[str, Any] | None, url: str, key: str) -> Any:
    """The ``key`` value (e.g. ``valueString``) of the first extension with ``url``."""
    for ext in extensions(element, url):
        if key in ext:
            return ext[key]
    return None


def reference(resource_type: str, resource_id: str) -> JsonDict:
    return {"reference": f"{resource_type}/{resource_id}"}


def identifier_reference(resource_type: str, system: str, value: str) -> JsonDict:
    """A logical reference: the target is known by identifier, not by a resource isotrack has."""
    return {"type": resource_type, "identifier": {"system": system, "value": value}}


def fhir_id(event_id: str) -> str:
    """A FHIR resource id for an event id: the same text when FHIR allows it.

    FHIR ids allow ``[A-Za-z0-9-.]{1,64}``; event ids also allow ``_`` and ``:`` and 100
    characters. Those are rewritten with a hash suffix so two ids never collide; the exact
    event id always travels as an identifier.
    """
    if _FHIR_ID.match(event_id):
        return event_id
    import hashlib

    digest = hashlib.sha256(event_id.encode()).hexdigest()[:10]
    cleaned = re.sub(r"[^A-Za-z0-9\-.]", "-", event_id)[:50]
    return f"{cleaned}-{digest}"


# --- reading --------------------------------------------------------------------------------


def codings_of(value: Any) -> list[JsonDict]:
    """The codings of a CodeableConcept (tolerates a bare Coding or a list of them)."""
    if isinstance(value, list):
        return [c for item in value for c in codings_of(item)]
    if not isinstance(value, Mapping):
        return []
    if "coding" in value:
        found = value.get("coding")
        return [c for c in found if isinstance(c, dict)] if isinstance(found, list) else []
    return [dict(value)] if "code" in value else []


def has_code(value: Any, system: str, wanted: Iterable[str]) -> str | None:
    """The first code of ``system`` in ``value`` that is one of ``wanted``."""
    allowed = set(wanted)
    for c in codings_of(value):
        if c.get("system") == system and c.get("code") in allowed:
            return str(c["code"])
    return None


def code_in(value: Any, system: str) -> str | None:
    for c in codings_of(value):
        if c.get("system") == system and isinstance(c.get("code"), str):
            return str(c["code"])
    return None


def text_of(value: Any) -> str | None:
    """A CodeableConcept's text, else the first display, else the first code."""
    if isinstance(value, Mapping) and isinstance(value.get("text"), str) and value["text"]:
        return str(value["text"])
    for c in codings_of(value):
        for key in ("display", "code"):
            if isinstance(c.get(key), str) and c[key]:
                return str(c[key])
    return None


def date_part(value: Any) -> str | None:
    """The calendar date of a FHIR date/dateTime/instant as written (no time-zone shift)."""
    if isinstance(value, str) and re.match(r"^\d{4}-\d{2}-\d{2}", value):
        return value[:10]
    return None


def time_part(value: Any) -> str | None:
    if isinstance(value, str) and re.match(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", value):
        return value[11:19] if len(value) >= 19 else value[11:16]
    return None


def quantity_value(value: Any) -> tuple[float, str | None] | None:
    """(value, unit) of a Quantity; the unit is isotrack's spelling when the UCUM code is known."""
    if not isinstance(value, Mapping):
        return None
    number = value.get("value")
    if not isinstance(number, (int, float)) or isinstance(number, bool):
        return None
    unit: str | None = None
    if value.get("system") == codes.UCUM and isinstance(value.get("code"), str):
        unit = codes.UNIT_BY_UCUM.get(value["code"], value["code"])
    elif isinstance(value.get("unit"), str):
        unit = value["unit"]
    elif isinstance(value.get("code"), str):
        unit = value["code"]
    return float(number), unit


def reference_key(value: Any) -> str | None:
    """``Type/id`` of a literal reference (a trailing ``/_history`` part is dropped)."""
    if not isinstance(value, Mapping) or not isinstance(value.get("reference"), str):
        return None
    parts = value["reference"].split("/")
    if "_history" in parts:
        parts = parts[: parts.index("_history")]
    return "/".join(parts[-2:]) if len(parts) >= 2 else None


def identifier_value(value: Any, system: str) -> str | None:
    items = value if isinstance(value, list) else [value]
    for item in items:
        if isinstance(item, Mapping) and item.get("system") == system:
            found = item.get("value")
            if isinstance(found, str):
                return found
    return None


def first(value: Any) -> Any:
    """The first item of a list (FHIR repeats), or the value itself when a sender sent one."""
    if isinstance(value, list):
        return value[0] if value else None
    return value
