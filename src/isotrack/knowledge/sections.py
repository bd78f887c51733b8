"""Which TOML table name holds which record type.

A new kind of knowledge record is registered here with one line; the loader, the citation
checks and ``isotrack facts --check`` then cover it without further code.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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


# Checks across records (a programme rule's parameters against each policy, a lab grade's
# threshold fact, the unit a LOINC code fixes, ...) that a single record's model cannot make.
# Each takes the loaded ``Knowledge`` and returns its problems; the loader runs them all, so a
# knowledge base with a broken link fails at start, never at the first decision.
CROSS_CHECKS: list[Callable[[Any], list[str]]] = []


def all_sections() -> dict[str, type[BaseModel]]:
    return {**CORE_SECTIONS, **EXTRA_SECTIONS}
