"""Reading a lab result: which test it is, and its value in the test's canonical unit.

Conversions go through the one pint registry; mass and substance concentrations are bridged
with the molar mass fact of the test, so no conversion factor is written in code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Literal

import pint
from pydantic import BaseModel, ConfigDict

from isotrack.domain.errors import FieldProblem, IsotrackInputError
from isotrack.domain.events import EventBase, LabResultRecorded
from isotrack.domain.timeline import events_of
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


def resolve_test(
    knowledge: Knowledge, name_or_code: str
) -> tuple[LabTest, LoincCode | None] | None:
    """The test a LOINC code, id, name or synonym names (and the LOINC code, if one was used)."""
    wanted = name_or_code.strip()
    key = normalise_term(wanted)
    for test in lab_tests(knowledge).values():
        for code in test.loinc:
            if code.code == wanted:
                return test, code
        names = {test.id, test.name, *test.synonyms}
        if key in {normalise_term(n) for n in names}:
            return test, None
    return None


def convert(knowledge: Knowledge, test: LabTest, value: float, unit: str, target: str) -> float:
    """``value`` in ``unit`` expressed in ``target`` for this test; :class:`UnitMismatch` if not."""
    registry = unit_registry()
    source_unit = normalise_unit(test.unit_aliases.get(unit.strip(), unit))
    target_unit = normalise_unit(test.unit_aliases.get(target.strip(), target))
    try:
        quantity = registry.Quantity(value, source_unit)
        goal = registry.Quantity(1, target_unit)
    except (pint.errors.UndefinedUnitError, pint.errors.DefinitionSyntaxError, ValueError) as exc:
        raise UnitMismatch(f"{unit!r} is not a unit isotrack can read") from exc
    if quantity.dimensionality != goal.dimensionality and test.molar_mass_fact is not None:
        fact = knowledge.fact(test.molar_mass_fact)
        molar_mass = registry.Quantity(knowledge.number(fact.id), normalise_unit(fact.unit))
        bridged = quantity * molar_mass
        quantity = (
            bridged if bridged.dimensionality == goal.dimensionality else quantity / molar_mass
        )
    try:
        return float(quantity.to(goal.units).magnitude)
    except pint.errors.DimensionalityError as exc:
        raise UnitMismatch(f"{unit!r} cannot express {test.name}") from exc


def _allowed_units(test: LabTest, code: LoincCode | None) -> str:
    return "one of " + ", ".join(test.common_units) + " (or another unit of the same kind)"


def _same_kind(unit: str, test: LabTest, code: LoincCode) -> bool:
    registry = unit_registry()
    spelled = normalise_unit(test.unit_aliases.get(unit.strip(), unit))
    reported = registry.parse_units(spelled)
    return any(
        reported.dimensionality == registry.parse_units(normalise_unit(fixed)).dimensionality
        for fixed in (code.unit, *code.also_units)
    )


def _coding_warning(event: LabResultRecorded, test: LabTest, code: LoincCode | None) -> str:
    if code is None or _same_kind(event.unit, test, code):
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
    problem = FieldProblem(location, "unit", event.unit, _allowed_units(test, code))
    try:
        coding_warning = _coding_warning(event, test, code)
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
    except (UnitMismatch, pint.errors.PintError) as exc:
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


def unreadable_results(
    knowledge: Knowledge, events: Sequence[EventBase]
) -> list[LabResultRecorded]:
    """The lab results of the course that cannot be read (unknown test or unit)."""
    unreadable: list[LabResultRecorded] = []
    for event in events_of(events, LabResultRecorded):
        try:
            check_lab_result(knowledge, event)
        except IsotrackInputError:
            unreadable.append(event)
    return unreadable
