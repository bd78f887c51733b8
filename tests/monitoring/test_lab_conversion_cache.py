"""Cached conversion factors give the very numbers pint gives, and the same refusals.

The engine asks pint once per (test, unit, target) and then multiplies (issue 12). Clinically
that must change nothing: a result graded at a band's edge must land on the same side. These
cases compare the cached path with pint's own conversion of each value, bit for bit, for every
lab test and every unit a laboratory reports it in, and the test lookup with a scan of the
catalogue.
"""

from __future__ import annotations

import pint
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from isotrack.engines.monitoring.lab_units import UnitMismatch, convert, resolve_test
from isotrack.engines.monitoring.terms import normalise_term
from isotrack.knowledge import Knowledge
from isotrack.knowledge.monitoring import LabTest, LoincCode, lab_tests
from isotrack.knowledge.units import normalise_unit, unit_registry


def _pint_convert(
    knowledge: Knowledge, test: LabTest, value: float, unit: str, target: str
) -> float:
    """The conversion as it was before the cache: pint on every value."""
    registry = unit_registry()
    quantity = registry.Quantity(value, normalise_unit(test.unit_aliases.get(unit.strip(), unit)))
    goal = registry.Quantity(1, normalise_unit(test.unit_aliases.get(target.strip(), target)))
    if quantity.dimensionality != goal.dimensionality and test.molar_mass_fact is not None:
        fact = knowledge.fact(test.molar_mass_fact)
        molar_mass = registry.Quantity(knowledge.number(fact.id), normalise_unit(fact.unit))
        bridged = quantity * molar_mass
        quantity = (
            bridged if bridged.dimensionality == goal.dimensionality else quantity / molar_mass
        )
    return float(quantity.to(goal.units).magnitude)


def _scan(knowledge: Knowledge, wanted: str) -> tuple[LabTest, LoincCode | None] | None:
    """The lookup as it was before the index: every test in catalogue order."""
    key = normalise_term(wanted.strip())
    for test in lab_tests(knowledge).values():
        for code in test.loinc:
            if code.code == wanted.strip():
                return test, code
        if key in {normalise_term(n) for n in (test.id, test.name, *test.synonyms)}:
            return test, None
    return None


def _unit_pairs(knowledge: Knowledge) -> list[tuple[LabTest, str]]:
    pairs = []
    for test in lab_tests(knowledge).values():
        for unit in {test.canonical_unit, *test.common_units, *test.unit_aliases}:
            pairs.append((test, unit))
    return pairs


@settings(max_examples=60, deadline=None)
@given(value=st.floats(min_value=0.0, max_value=1e5, allow_nan=False))
def test_every_reported_unit_converts_to_the_same_number_as_pint(
    knowledge: Knowledge, value: float
) -> None:
    for test, unit in _unit_pairs(knowledge):
        expected = _pint_convert(knowledge, test, value, unit, test.canonical_unit)
        assert convert(knowledge, test, value, unit, test.canonical_unit) == expected, (
            test.id,
            unit,
        )


def test_a_unit_that_cannot_express_the_test_is_refused_every_time(knowledge: Knowledge) -> None:
    alt = next(t for t in lab_tests(knowledge).values() if t.molar_mass_fact is None)
    for _ in range(2):  # the refusal is remembered, and raised again as a fresh error
        with pytest.raises(UnitMismatch):
            convert(knowledge, alt, 1.0, "kg", alt.canonical_unit)
        with pytest.raises((UnitMismatch, pint.errors.PintError)):
            convert(knowledge, alt, 1.0, "zorkmid", alt.canonical_unit)


def test_the_test_index_finds_what_the_catalogue_scan_finds(knowledge: Knowledge) -> None:
    spellings = ["", "unknown test", "  ALT ", "bilirubin"]
    for test in lab_tests(knowledge).values():
        spellings += [test.id, test.name.upper(), *test.synonyms]
        spellings += [code.code for code in test.loinc]
    for spelling in spellings:
        assert resolve_test(knowledge, spelling) == _scan(knowledge, spelling), spelling
