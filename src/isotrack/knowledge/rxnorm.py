"""RxNorm clinical drugs for isotretinoin: the generic strengths (SCD) and branded products
(SBD) an EHR may code an order with, besides the ingredient (RxCUI 6064).

Only codes read in a source are listed; each record names it. A branded drug names the isotrack
product it is, and its strength must be one of that product's capsule strengths.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field

from isotrack.knowledge.model import Record
from isotrack.knowledge.sections import CROSS_CHECKS, EXTRA_SECTIONS


class RxNormDrug(Record):
    """One RxNorm concept: ``SCD`` (ingredient, strength, form) or ``SBD`` (the same, branded)."""

    id: str = Field(pattern=r"^rxcui-[0-9]+$")
    rxcui: str = Field(pattern=r"^[0-9]+$")
    tty: Literal["SCD", "SBD"]
    name: str
    strength_mg: float = Field(gt=0)
    product: str | None = None  # SBD: the isotrack product id
    source_ids: list[str] = Field(min_length=1)
    note: str = ""


def rxnorm_drugs(knowledge: Any) -> Mapping[str, RxNormDrug]:
    """The RxNorm drugs by RxCUI."""
    records: Mapping[str, RxNormDrug] = knowledge.records("rxnorm_drug", RxNormDrug)
    return knowledge.derived(  # type: ignore[no-any-return]
        "rxnorm_drugs_by_rxcui", lambda: {r.rxcui: r for r in records.values()}
    )


def rxnorm_products(knowledge: Any) -> Mapping[str, str]:
    """RxCUI -> the isotrack product a branded drug is, ``""`` for a generic strength."""
    return {rxcui: record.product or "" for rxcui, record in rxnorm_drugs(knowledge).items()}


def rxnorm_problems(knowledge: Any) -> list[str]:
    problems: list[str] = []
    for record in knowledge.records("rxnorm_drug", RxNormDrug).values():
        if record.id != f"rxcui-{record.rxcui}":
            problems.append(f"rxnorm_drug {record.id!r}: id must be 'rxcui-{record.rxcui}'")
        if (record.tty == "SBD") != (record.product is not None):
            problems.append(f"rxnorm_drug {record.id!r}: a branded drug (SBD), and only one, "
                            "names its product")  # fmt: skip
        product = knowledge.products.get(record.product) if record.product else None
        if record.product and product is None:
            problems.append(f"rxnorm_drug {record.id!r}: unknown product {record.product!r}")
        if product is not None and record.strength_mg not in product.strengths_mg:
            problems.append(f"rxnorm_drug {record.id!r}: {record.strength_mg:g} mg is not a "
                            f"strength of {product.id!r}")  # fmt: skip
    return problems


EXTRA_SECTIONS["rxnorm_drug"] = RxNormDrug
CROSS_CHECKS.append(rxnorm_problems)
