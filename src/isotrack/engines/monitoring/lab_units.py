"""Reading a lab result: which test it is, and its value in the test's canonical unit.

Conversions go through the one pint registry; mass and substance concentrations are bridged
with the molar mass fact of the test, so no conversion factor is written in code.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict

from isotrack.domain.errors import FieldProblem, IsotrackInputError
from isotrack.domain.events import LabResultRecorded
from isotrack.engines.monitoring.terms import normalise_term
from isotrack.knowledge import Knowledge
from isotrack.knowledge.monitoring import LabTest, LoincCode, lab_tests
from isotrack.knowledge.units import normalise_unit, unit_registry


class LabReading(BaseModel):
    """A lab result resolved to a known test, with value and upper limit in canonical units."""

    model_config = ConfigDict(frozen=True)

    event_id: str
    date: dt.date
    test_id: str
    test_name: str
    value: float
    unit: str
    reported_value: float
    reported_unit: str
    upper_limit: float | None
    upper_limit_from: Literal["result", "default", "none"]
    # Set when the LOINC code fixes another kind of unit than the one reported, but the value
    # converts: the converted value is graded (the higher alert wins) and this says why.
    coding_warning: str = ""


class UnitMismatch(ValueError):
    """A unit that cannot express the test's quantity."""


def _test_index(
    knowledge: Knowledge,
) -> tuple[dict[str, tuple[int, LabTest, LoincCode]], dict[str, tuple[int, LabTest]]]:
    """LOINC codes and normalised names of every test, in the catalogue's order (the first test
    that claims a code or name wins, as the scan this replaces did)."""
    by_code: dict[str, tuple[int, LabTest, LoincCode]] = {}
    by_name: dict[str, tuple[int, LabTest]] = {}
    for position, test in enumerate(lab_tests(knowledge).values()):
        for code in test.loinc:
            by_code.setdefault(code.code, (position, test, code))
        for name in (test.id, test.name, *test.synonyms):
            by_name.setdefault(normalise_term(name), (position, test))
    return by_code, by_name


def resolve_test(
    knowledge: Knowledge, name_or_code: str
) -> tuple[LabTest, LoincCode | None] | None:
    """The test a LOINC code, id, name or synonym names (and the LOINC code, if one was used)."""
    wanted = name_or_code.strip()
    by_code, by_name = knowledge.derived(
        ("monitoring.lab_test_index",), lambda: _test_index(knowledge)
    )
    coded = by_code.get(wanted)
    named = by_name.get(normalise_term(wanted))
    # The test listed first wins whether it matched by code or by name; its code before its name.
    if coded is not None and (named is None or coded[0] <= named[0]):
        return coded[1], coded[2]
    return (named[1], None) if named is not None else None


# How a value in one unit becomes a value in another for one test: first multiplied or divided
# by the molar mass (or neither), then multiplied by pint's factor; or the unit does not fit.
_Conversion = tuple[Literal["none", "multiply", "divide"], float, float] | UnitMismatch


def _conversion(knowledge: Knowledge, test: LabTest, unit: str, target: str) -> _Conversion:
    """pint works the conversion out once per (test, unit, target) with a magnitude of one; the
    steps are the ones pint applies to any magnitude, so the product is the same number."""
    import pint  # loaded with the registry, once per (test, unit, target)

    registry = unit_registry()
    source_unit = normalise_unit(test.unit_aliases.get(unit.strip(), unit))
    target_unit = normalise_unit(test.unit_aliases.get(target.strip(), target))
    try:
        quantity = registry.Quantity(1.0, source_unit)
        goal = registry.Quantity(1, target_unit)
    except (pint.errors.UndefinedUnitError, pint.errors.DefinitionSyntaxError, ValueError) as exc:
        mismatch = UnitMismatch(f"{unit!r} is not a unit isotrack can read")
        mismatch.__cause__ = exc
        return mismatch
    step: Literal["none", "multiply", "divide"] = "none"
    molar_magnitude = 1.0
    if quantity.dimensionality != goal.dimensionality and test.molar_mass_fact is not None:
        fact = knowledge.fact(test.molar_mass_fact)
        molar_mass = registry.Quantity(knowledge.number(fact.id), normalise_unit(fact.unit))
        molar_magnitude = float(molar_mass.magnitude)
        bridged = quantity * molar_mass
        if bridged.dimensionality == goal.dimensionality:
            quantity, step = bridged, "multiply"
        else:
            quantity, step = quantity / molar_mass, "divide"
    try:
        factor = float(registry.Quantity(1.0, quantity.units).to(goal.units).magnitude)
    except pint.errors.DimensionalityError as exc:
        mismatch = UnitMismatch(f"{unit!r} cannot express {test.name}")
        mismatch.__cause__ = exc
        return mismatch
    return step, molar_magnitude, factor


def convert(knowledge: Knowledge, test: LabTest, value: float, unit: str, target: str) -> float:
    """``value`` in ``unit`` expressed in ``target`` for this test; :class:`UnitMismatch` if not.

    pint is the authority on every factor; it runs once per (test, unit, target) in a knowledge
    base, and each value is then one or two multiplications (every lab unit is multiplicative).
    """
    found = knowledge.derived(
        ("monitoring.lab_conversion", test.id, unit, target),
        lambda: _conversion(knowledge, test, unit, target),
    )
    if isinstance(found, UnitMismatch):
        raise UnitMismatch(*found.args) from found.__cause__
    step, molar_magnitude, factor = found
    if step == "multiply":
        value = value * molar_magnitude
    elif step == "divide":
        value = value / molar_magnitude
    return float(value * factor)


def _pint_error() -> type[Exception]:
    import pint

    return pint.errors.PintError


def _allowed_units(test: LabTest, code: LoincCode | None) -> str:
    return "one of " + ", ".join(test.common_units) + " (or another unit of the same kind)"


def _dimensionality(knowledge: Knowledge, test: LabTest, unit: str, *, reported: bool) -> object:
    """The kind of quantity a unit measures (a reported unit through the test's aliases, a unit
    the LOINC code fixes as written), parsed by pint once per knowledge base."""

    def parse() -> object:
        import pint

        spelled = normalise_unit(test.unit_aliases.get(unit.strip(), unit) if reported else unit)
        try:
            return unit_registry().parse_units(spelled).dimensionality
        except pint.errors.PintError as exc:
            return exc

    found = knowledge.derived(("monitoring.unit_kind", test.id, unit, reported), parse)
    if isinstance(found, Exception):  # pint's error, kept as the answer for this unit
        raise found
    return found


def _same_kind(knowledge: Knowledge, unit: str, test: LabTest, code: LoincCode) -> bool:
    kind = _dimensionality(knowledge, test, unit, reported=True)
    return any(
        kind == _dimensionality(knowledge, test, fixed, reported=False)
        for fixed in (code.unit, *code.also_units)
    )


def _coding_warning(
    knowledge: Knowledge, event: LabResultRecorded, test: LabTest, code: LoincCode | None
) -> str:
    if code is None or _same_kind(knowledge, event.unit, test, code):
        return ""
    fixed = " or ".join((code.unit, *code.also_units))
    return (
        f"LOINC {code.code} is reported in {fixed}, but the result says {event.unit}; "
        f"the value was converted and graded as {test.name}"
    )


def check_lab_result(knowledge: Knowledge, event: LabResultRecorded) -> LabReading:
    """Resolve and convert one result, or raise :class:`IsotrackInputError` naming the field.

    An unknown test, or a unit that cannot express the test (mmol/L for ALT), is rejected with
    the allowed values. A unit of another kind than the LOINC code fixes (mg/dL under a
    moles-per-volume code) is converted and graded, with a coding warning on the reading.
    """
    location = f"event {event.id!r}"
    resolved = resolve_test(knowledge, event.test)
    if resolved is None:
        known = "; ".join(
            f"{t.id} ({', '.join(c.code for c in t.loinc)})" for t in lab_tests(knowledge).values()
        )
        raise IsotrackInputError(
            [FieldProblem(location, "test", event.test, f"a LOINC code or test name: {known}")],
            "unknown laboratory test",
        )
    test, code = resolved
    try:
        coding_warning = _coding_warning(knowledge, event, test, code)
        value = convert(knowledge, test, event.value, event.unit, test.canonical_unit)
        upper_limit: float | None = None
        upper_from: Literal["result", "default", "none"] = "none"
        if event.reference_high is not None:
            upper_limit = convert(
                knowledge, test, event.reference_high, event.unit, test.canonical_unit
            )
            upper_from = "result"
        elif test.default_upper_limit_fact is not None:
            fact = knowledge.fact(test.default_upper_limit_fact)
            upper_limit = convert(
                knowledge, test, knowledge.number(fact.id), fact.unit, test.canonical_unit
            )
            upper_from = "default"
    except (UnitMismatch, _pint_error()) as exc:  # evaluated only when something was raised
        problem = FieldProblem(location, "unit", event.unit, _allowed_units(test, code))
        raise IsotrackInputError([problem], f"unit does not fit {test.name}") from exc
    return LabReading(
        event_id=event.id,
        date=event.date,
        test_id=test.id,
        test_name=test.name,
        value=value,
        unit=test.canonical_unit,
        reported_value=event.value,
        reported_unit=event.unit,
        upper_limit=upper_limit,
        upper_limit_from=upper_from,
        coding_warning=coding_warning,
    )
