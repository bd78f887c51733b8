"""The course plan a prescriber saves from the planner: product, weight, dose phases and the
cumulative target. Part of ``isotrack.timeline/1``; the union lives in ``events``.

A later plan replaces the earlier one from its date and must say why (``reason``); the
service refuses a change without one. The plan is the prescriber's intent: prescriptions are
still written one by one, and the course's cumulative target follows the plan in force.
"""

from __future__ import annotations

from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator

from isotrack.domain.event_base import EventBase


class PlannedPhase(BaseModel):
    """``mg_per_kg_per_day`` for ``weeks`` weeks; ``weeks`` None means until the course ends."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    mg_per_kg_per_day: float = Field(gt=0, le=10)
    weeks: int | None = Field(default=None, ge=1, le=520)


class CoursePlanned(EventBase):
    """A plan saved to the course from the planner."""

    type: Literal["course_plan"] = "course_plan"
    product: str = Field(min_length=1, max_length=80)
    weight_kg: float = Field(gt=0, le=1000)
    phases: list[PlannedPhase] = Field(min_length=1, max_length=12)
    target_mg_per_kg: float | None = Field(default=None, gt=0, le=1000)
    treat_to_clearance: StrictBool = False
    split_doses: StrictBool = False
    reason: str | None = Field(default=None, min_length=1, max_length=1000)

    @model_validator(mode="after")
    def _one_target_and_open_last_phase(self) -> Self:
        if self.target_mg_per_kg is not None and self.treat_to_clearance:
            raise ValueError("choose a mg/kg target or treat-to-clearance, not both")
        if any(p.weeks is None for p in self.phases[:-1]):
            raise ValueError("only the last phase may leave out its number of weeks")
        return self
