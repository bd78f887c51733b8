"""The one units registry of isotrack (pint), and the check that a unit string is known.

Every unit written in the knowledge base or accepted from a user is parsed here, so a
typo such as ``mg/kg/dy`` is caught when the knowledge loads, not when a patient is dosed.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pint

# pint is imported when a unit is first parsed, not with this module: with NumPy behind it,
# importing pint and building its registry take longer than a whole ``check-dispense`` may
# (issue 12), and most commands read only knowledge already checked (``knowledge.cache``).

# Units that are counts or multiples rather than physical quantities. They are declared
# dimensionless so pint can parse them and arithmetic on them stays honest.
_EXTRA_DEFINITIONS = (
    "count = [count_dimension] = capsule = capsules",
    "test = count",
    "study = count",
    "method = count",
    "prescriber = count",
    "point = [score_dimension] = points",
    "x_ULN = [uln_multiple] = ULN_multiple",
    "international_unit = [biological_activity] = IU",
    "ratio = [] ",
    "none = []",
)


@lru_cache(maxsize=1)
def unit_registry() -> pint.UnitRegistry:  # type: ignore[type-arg]
    """The shared pint registry with isotrack's extra units defined."""
    import pint

    registry: pint.UnitRegistry = pint.UnitRegistry(  # type: ignore[type-arg]
        autoconvert_offset_to_baseunit=True
    )
    for definition in _EXTRA_DEFINITIONS:
        registry.define(definition)
    return registry


@lru_cache(maxsize=1024)
def is_known_unit(unit: str) -> bool:
    """True when ``unit`` parses in the isotrack registry (cached: parsing is slow and the
    same few units arrive with every lab result).

    >>> is_known_unit("mg/kg/day"), is_known_unit("mg/kg/dy")
    (True, False)
    """
    import pint

    try:
        unit_registry().parse_units(normalise_unit(unit))
    except (
        pint.errors.UndefinedUnitError,
        pint.errors.DefinitionSyntaxError,
        ValueError,
        AttributeError,
        TypeError,
        AssertionError,
    ):
        return False
    return True


# Cell counts are written as a power of ten per volume. UCUM spells it "10*9/L", labs also
# "10^9/L", "x10E9/L" or "G/L"; pint would read "10*9" as ninety, so each spelling is rewritten
# to a SI-prefixed count before pint sees it.
_COUNT_PREFIX = {"3": "k", "6": "M", "9": "G", "12": "T"}
_POWER_OF_TEN_COUNT = re.compile(r"^(?:x\s*)?10\s*(?:\*|\^|\*\*|e)\s*(3|6|9|12)\s*/\s*(\w+)$", re.I)
_COUNT_SYNONYMS = {
    "G/L": "Gcount/L",
    "T/L": "Tcount/L",
    "/nL": "count/nL",
    "/uL": "count/uL",
    "/mm3": "count/mm**3",
    "cells/uL": "count/uL",
    "cells/mm3": "count/mm**3",
    "K/uL": "kcount/uL",
    "thou/uL": "kcount/uL",
}


def normalise_unit(unit: str) -> str:
    """Spell a clinical unit the way pint reads it (µ → u, '%' → percent, '10*9/L' → Gcount/L).

    >>> normalise_unit("10*9/L"), normalise_unit("10^3/µL"), normalise_unit("/nL")
    ('Gcount/L', 'kcount/uL', 'count/nL')
    """
    text = unit.strip().replace("µ", "u").replace("μ", "u")
    if text == "%":
        return "percent"
    power = _POWER_OF_TEN_COUNT.match(text)
    if power is not None:
        return f"{_COUNT_PREFIX[power.group(1)]}count/{power.group(2)}"
    return _COUNT_SYNONYMS.get(text, text)
