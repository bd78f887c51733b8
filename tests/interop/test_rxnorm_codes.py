"""EHRs often code an isotretinoin order by its RxNorm clinical drug (a strength, generic or
branded) rather than by the ingredient. isotrack reads those codes from its knowledge base,
where each is listed with the source it was read in."""

from __future__ import annotations

from isotrack.interop.fhir import codes
from isotrack.interop.fhir.medication import recognised_product
from isotrack.knowledge import load_knowledge
from isotrack.knowledge.rxnorm import rxnorm_drugs, rxnorm_products

KNOWLEDGE = load_knowledge()
NAMES = {p.id: p.name for p in KNOWLEDGE.products.values()}


def coded(rxcui: str) -> dict[str, object]:
    """A medication coded by one RxNorm code alone: no display, no text, no product code."""
    return {"coding": [{"system": codes.RXNORM, "code": rxcui}]}


def test_a_branded_rxnorm_drug_names_its_product() -> None:
    assert recognised_product(coded("1547567"), NAMES, rxnorm_products(KNOWLEDGE)) == "absorica"


def test_a_generic_strength_is_isotretinoin_of_no_named_product() -> None:
    assert recognised_product(coded("197845"), NAMES, rxnorm_products(KNOWLEDGE)) == ""


def test_other_rxnorm_codes_are_not_isotretinoin() -> None:
    assert recognised_product(coded("1652673"), NAMES, rxnorm_products(KNOWLEDGE)) is None
    # Without the knowledge base's codes, a strength alone is not recognised.
    assert recognised_product(coded("197845"), NAMES) is None


def test_every_listed_code_cites_a_loaded_source_and_names_its_strength() -> None:
    drugs = rxnorm_drugs(KNOWLEDGE)
    assert {"197843", "197844", "197845", "403930", "1547561", "1547567"} <= set(drugs)
    for drug in drugs.values():
        assert all(s in KNOWLEDGE.sources for s in drug.source_ids)
        assert f"{drug.strength_mg:g} MG" in drug.name
