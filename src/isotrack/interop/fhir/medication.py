"""Isotretinoin as a FHIR medication: how isotrack codes it and how it recognises it.

Written: the isotrack product code, the RxNorm ingredient 6064 and the product name as text.
Read: isotretinoin on **any** coding (never only ``coding[0]``): the RxNorm ingredient, an
RxNorm clinical drug of the knowledge base (a generic strength, or a branded one naming its
product), an isotrack product code, or a known product name or "isotretinoin" in a display
or text, in a ``medicationCodeableConcept``, a contained Medication, or a Medication resource
the reference names when it travels beside the order (in the same Bundle or draft orders).
A reference to a Medication that is not there leaves the medicine unknown: never "not
isotretinoin" (:func:`unresolved_medication`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from isotrack.interop.fhir import codes
from isotrack.interop.fhir.elements import (
    JsonDict,
    coding,
    codings_of,
    concept,
    reference_key,
)

MedicationIndex = Mapping[str, Mapping[str, Any]]


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


def medications_of(resources: Iterable[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    """``Medication/id`` -> the Medication resource, for orders that name it by reference."""
    return {
        f"Medication/{r.get('id')}": r for r in resources if r.get("resourceType") == "Medication"
    }


def medication_concept_of(
    resource: Mapping[str, Any], medications: MedicationIndex | None = None
) -> Any:
    """The medication CodeableConcept, following a ``#contained`` Medication reference or a
    reference to a Medication in ``medications``."""
    if "medicationCodeableConcept" in resource:
        return resource["medicationCodeableConcept"]
    ref = resource.get("medicationReference")
    target = ref.get("reference") if isinstance(ref, Mapping) else None
    contained = resource.get("contained")
    if isinstance(target, str) and target.startswith("#") and isinstance(contained, list):
        for item in contained:
            if isinstance(item, Mapping) and item.get("id") == target[1:]:
                return item.get("code")
    named = medications.get(reference_key(ref) or "") if medications else None
    if named is not None:
        return named.get("code")
    if isinstance(ref, Mapping) and isinstance(ref.get("display"), str):
        return {"text": ref["display"]}
    return None


def unresolved_medication(
    resource: Mapping[str, Any], medications: MedicationIndex | None = None
) -> str | None:
    """The reference (``Medication/id``) of a medicine named only by a reference to a
    Medication that is neither contained nor in ``medications``: what it is, is unknown."""
    if "medicationCodeableConcept" in resource:
        return None
    ref = resource.get("medicationReference")
    target = reference_key(ref)
    if target is None or not target.startswith("Medication/"):
        return None
    if medication_concept_of(resource, medications) is not None:
        return None
    return target


def unknown_medicine(reference: str, sent_with: str) -> str:
    """Why a medicine named by ``reference`` is unknown, for the report or the card."""
    return (
        f"its medicine is named only by a reference to {reference}, which was not sent with "
        f"{sent_with} or does not say what it is: whether it is isotretinoin is unknown"
    )


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
