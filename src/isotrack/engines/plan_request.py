"""What a prescriber asks the planner for, and the per-phase plan it answers with.

Kept apart from :mod:`isotrack.engines.planner` so that the warning modules can read these
types without importing the planner back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from isotrack.domain.errors import FieldProblem, IsotrackInputError
from isotrack.engines.regimen import RegimenDay

LOCATION = "plan request"


class Phase(BaseModel):
    """``mg_per_kg_per_day`` for ``weeks`` weeks; ``weeks`` None means until the course ends."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    mg_per_kg_per_day: float = Field(gt=0)
    weeks: int | None = Field(default=None, ge=1)


class PlanRequest(BaseModel):
    """What the prescriber asks the planner for."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    product: str
    weight_kg: float = Field(gt=0)
    start: dt.date
    mg_per_kg_per_day: float | None = Field(default=None, gt=0)
    phases: list[Phase] | None = Field(default=None, min_length=1)
    target_mg_per_kg: float | None = Field(default=None, gt=0)
    treat_to_clearance: bool = False
    split_doses: bool = False
    max_capsules_per_day: int | None = Field(default=None, ge=1)
    birth_date: dt.date | None = None
    age_years: int | None = Field(default=None, ge=0)
    severe_renal_impairment: bool = False
    previous_course_end: dt.date | None = None

    @model_validator(mode="after")
    def _one_dose_and_one_target(self) -> Self:
        if (self.mg_per_kg_per_day is None) == (self.phases is None):
            raise ValueError("mg_per_kg_per_day: give either mg_per_kg_per_day or phases, not both")
        if self.target_mg_per_kg is not None and self.treat_to_clearance:
            raise ValueError(
                "treat_to_clearance: choose a mg/kg target or treat-to-clearance, not both"
            )
        if self.phases is not None and any(p.weeks is None for p in self.phases[:-1]):
            raise ValueError("phases: only the last phase may leave out its number of weeks")
        if self.previous_course_end is not None and self.previous_course_end > self.start:
            raise ValueError("previous_course_end: must not be after the start date")
        return self

    def dose_phases(self) -> list[Phase]:
        if self.phases is not None:
            return list(self.phases)
        assert self.mg_per_kg_per_day is not None  # guaranteed by the validator
        return [Phase(mg_per_kg_per_day=self.mg_per_kg_per_day)]


def parse_plan_request(data: Mapping[str, Any]) -> PlanRequest:
    """Validate a plan request; errors name the field, the value and what is allowed."""
    try:
        return PlanRequest.model_validate(dict(data))
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = ".".join(str(p) for p in error["loc"])
            message = str(error["msg"]).removeprefix("Value error, ")
            named, _, explanation = message.partition(": ")
            if not loc and explanation and named.isidentifier():
                loc, message = named, explanation
            value = data.get(loc.split(".")[0]) if loc else None
            problems.append(FieldProblem(LOCATION, loc or "(request)", value, message))
        raise IsotrackInputError(problems, "invalid plan request") from None


class SupplyLine(BaseModel):
    model_config = ConfigDict(frozen=True)

    strength_mg: float
    capsules: int


class CumulativePoint(BaseModel):
    """The running total at the end of course day ``day`` (day 1 is the start date)."""

    model_config = ConfigDict(frozen=True)

    day: int
    date: dt.date
    cumulative_mg: float
    cumulative_mg_per_kg: float


class PhasePlan(BaseModel):
    """One phase: the requested mg/kg/day, the capsules that deliver it, and how closely."""

    model_config = ConfigDict(frozen=True)

    index: int
    start_date: dt.date
    weeks: int | None
    requested_mg_per_kg_per_day: float
    target_daily_dose_mg: float
    daily_dose_mg: float  # mean over the repeating pattern
    mg_per_kg_per_day: float  # achieved mean
    deviation_mg_per_kg_per_day: float  # achieved minus requested
    exact: bool
    pattern_days: int
    regimen: list[RegimenDay]
    supply_30_days: list[SupplyLine]
