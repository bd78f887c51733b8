"""Which TOML table name holds which record type.

A new kind of knowledge record is registered here with one line; the loader, the citation
checks and ``isotrack facts --check`` then cover it without further code.
"""

from __future__ import annotations

from pydantic import BaseModel

from isotrack.knowledge.model import Disagreement, Fact, Myth, Policy, Product, Source

CORE_SECTIONS: dict[str, type[BaseModel]] = {
    "source": Source,
    "fact": Fact,
    "product": Product,
    "disagreement": Disagreement,
    "myth": Myth,
    "policy": Policy,
}

# Sections owned by the engines' own knowledge modules (programme rules, lab thresholds,
# side-effect catalogue, ...). Each module adds its table here.
EXTRA_SECTIONS: dict[str, type[BaseModel]] = {}


def all_sections() -> dict[str, type[BaseModel]]:
    return {**CORE_SECTIONS, **EXTRA_SECTIONS}
