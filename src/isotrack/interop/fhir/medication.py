"""Isotretinoin as a FHIR medication: how isotrack codes it and how it recognises it.

Written: the isotrack product code, the RxNorm ingredient 6064 and the product name as text.
Read: isotretinoin on **any** coding (never only ``coding[0]``): the RxNorm ingredient, an
RxNorm clinical drug of the knowledge base (a generic strength, or a branded one naming its
product), an isotrack product code, or a known product name or "isotretinoin" in a display
or text, in a ``medicationCodeableConcept`` or a contained Medication.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from isotrack.interop.fhir import codes
from isotrack.interop.fhir.elements import JsonDict, coding, codings_of, concept


def isotretinoin_concept(product: str, product_names: Mapping[str, str]) -> JsonDict:
    name = product_names.get(product, product)
    return concept(
        coding(codes.PRODUCT_SYSTEM, product, name),
        coding(codes.RXNORM, codes.RXNORM_ISOTRETINOIN_IN, "isotretinoin"),
        text=name,
    )


def ingredient_concept() -> JsonDict:
    return concept(
        coding(codes.RXNORM, codes.RXNORM_ISOTRETINOIN_IN, "isotretinoin"), text="isotretinoin"
    )


def medication_concept_of(resource: Mapping[str, Any]) -> Any:
    """The medication CodeableConcept, following a ``#contained`` Medication reference."""
    if "medicationCodeableConcept" in resource:
        return resource["medicationCodeableConcept"]
    ref = resource.get("medicationReference")
    target = ref.get("reference") if isinstance(ref, Mapping) else None
    contained = resource.get("contained")
    if isinstance(target, str) and target.startswith("#") and isinstance(contained, list):
        for item in contained:
            if isinstance(item, Mapping) and item.get("id") == target[1:]:
                return item.get("code")
    if isinstance(ref, Mapping) and isinstance(ref.get("display"), str):
        return {"text": ref["display"]}
    return None


def is_isotretinoin(
    value: Any, product_names: Mapping[str, str], rxnorm: Mapping[str, str] | None = None
) -> bool:
    return recognised_product(value, product_names, rxnorm) is not None


def recognised_product(
    value: Any, product_names: Mapping[str, str], rxnorm: Mapping[str, str] | None = None
) -> str | None:
    """The isotrack product id, ``""`` for isotretinoin of no known product, None otherwise.

    ``rxnorm`` maps RxCUIs of isotretinoin clinical drugs to a product id (``""``: generic).
    """
    names = {name.lower(): pid for pid, name in product_names.items()}
    words = list(names.items()) + [(pid.lower(), pid) for pid in product_names]
    found: str | None = None
    texts: list[str] = []
    for c in codings_of(value):
        if c.get("system") == codes.PRODUCT_SYSTEM and c.get("code") in product_names:
            return str(c["code"])
        if c.get("system") == codes.RXNORM and c.get("code") == codes.RXNORM_ISOTRETINOIN_IN:
            found = ""
        elif c.get("system") == codes.RXNORM and rxnorm and c.get("code") in rxnorm:
            branded = rxnorm[str(c["code"])]
            if branded in product_names:
                return branded
            found = ""
        if isinstance(c.get("display"), str):
            texts.append(c["display"].lower())
    if isinstance(value, Mapping) and isinstance(value.get("text"), str):
        texts.append(value["text"].lower())
    for text in texts:
        for word, pid in words:
            if word and word in text:
                return pid
        if "isotretinoin" in text:
            found = ""
    return found


def generic_product_for(policy: str | None) -> str:
    """The generic product assumed for isotretinoin coded only by ingredient."""
    return "isotretinoin-us" if (policy or "").startswith("us-") else "isotretinoin-eu"
