"""Which TOML table name holds which record type.

A new kind of knowledge record is registered here with one line; the loader, the citation
checks and ``isotrack facts --check`` then cover it without further code.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

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


if TYPE_CHECKING:
    from isotrack.knowledge.loader import Knowledge

# Cross-reference checks owned by those modules, run by the loader after every record is read
# (each returns its problems; an empty list when consistent).
EXTRA_CHECKS: list[Callable[[Knowledge], list[str]]] = []


def all_sections() -> dict[str, type[BaseModel]]:
    return {**CORE_SECTIONS, **EXTRA_SECTIONS}
