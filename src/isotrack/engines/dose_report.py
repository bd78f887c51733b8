"""The ``dose`` section of an assessment: the target in force and the figures of the walk."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from isotrack.engines.treatment_period import StartBasis

CUMULATIVE_TARGET = "cumulative_target"
MG_PER_KG = "mg/kg"
MISSED_DOSE = "dosing.missed_dose"

WeightBasis = Literal["weight_at_dose_date", "latest_weight"]
DoseStatus = Literal["not_started", "on_treatment", "paused", "ended", "unknown"]


class DoseTarget(BaseModel):
    """The cumulative target in force and where it came from."""

    model_config = ConfigDict(frozen=True)

    origin: Literal["argument", "saved plan", "policy"]
    policy: str | None
    position_id: str | None
    low_mg_per_kg: float
    high_mg_per_kg: float
    source_ids: list[str]


class ProgressByWeight(BaseModel):
    """Cumulative figures computed with one way of choosing the weight."""

    model_config = ConfigDict(frozen=True)

    basis: WeightBasis
    cumulative_mg_per_kg: float | None
    average_mg_per_kg_per_day: float | None  # over the days a dose was taken
    remaining_mg_per_kg: float | None  # to the low end of the target
    remaining_mg: float | None  # at the latest weight
    target_reached_on: dt.date | None
    projected_end_date: dt.date | None
    unknown_reason: str | None


class DoseProgress(BaseModel):
    """The ``dose`` section of an assessment. ``None`` values carry a reason in ``reasons``."""

    model_config = ConfigDict(frozen=True)

    status: DoseStatus
    as_of: dt.date
    course_start: dt.date | None
    course_start_basis: StartBasis | None  # first_dispense: inferred, no course_start recorded
    course_end: dt.date | None
    days_since_start: int | None
    days_taken: int
    days_missed: int
    days_paused: int
    days_without_supply: int
    supply_checked: bool
    supply_days_left: int | None
    product: str | None
    current_daily_dose_mg: float | None
    cumulative_mg: float | None
    latest_weight_kg: float | None
    default_weight_basis: WeightBasis
    by_weight_at_dose_date: ProgressByWeight
    by_latest_weight: ProgressByWeight
    cumulative_mg_per_kg: float | None
    average_mg_per_kg_per_day: float | None
    remaining_mg: float | None
    projected_end_date: dt.date | None
    conventional_equivalent_mg_per_kg: float | None
    target: DoseTarget | None
    reasons: list[str]
    # The mg taken on each counted day, for the concentration curve (engines/pk); not in JSON.
    taken_mg_by_day: list[tuple[dt.date, float]] = Field(default_factory=list, exclude=True)
    source_ids: list[str]
