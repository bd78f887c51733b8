"""Events that record a clinical judgement: an alert's review, an acne assessment, and how an
exposed pregnancy ended. Part of ``isotrack.timeline/1``; the union lives in ``events``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from isotrack.domain.event_base import EventBase


class PregnancyOutcome(StrEnum):
    LIVE_BIRTH = "live_birth"
    MISCARRIAGE = "miscarriage"
    TERMINATION = "termination"
    ECTOPIC = "ectopic"
    STILLBIRTH = "stillbirth"
    UNKNOWN = "unknown"  # lost to follow-up


class PregnancyOutcomeRecorded(EventBase):
    """How a pregnancy exposed to isotretinoin ended; closes the follow-up of the exposure."""

    type: Literal["pregnancy_outcome"] = "pregnancy_outcome"
    outcome: PregnancyOutcome
    details: str | None = Field(default=None, max_length=4000)


class AlertReviewed(EventBase):
    """A prescriber's review of one alert (by its id): continue, keep holding, or stop."""

    type: Literal["alert_review"] = "alert_review"
    alert_id: str = Field(min_length=1, max_length=200)
    outcome: Literal["continue", "hold", "stop"]
    note: str = Field(min_length=1, max_length=4000)

    @model_validator(mode="after")
    def _note_written(self) -> AlertReviewed:
        if not self.note.strip():
            raise ValueError("note: a review needs a note saying why")
        return self


class LesionCounts(BaseModel):
    """Lesions counted on one site; a type left out was not counted (unknown, not zero)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    comedones: int | None = Field(default=None, ge=0)
    papules: int | None = Field(default=None, ge=0)
    pustules: int | None = Field(default=None, ge=0)
    nodules_cysts: int | None = Field(default=None, ge=0)


IGA_MAX_GRADE = 4  # the scales themselves, with sources: knowledge/data/response.toml
GAGS_MAX_SCORE = 44


class AcneAssessment(EventBase):
    """A global grade (IGA 0-4 by default, or GAGS 0-44) with optional lesion counts by site.

    A prescriber's assessment and a patient's self-report are kept apart by ``assessed_by``.
    """

    type: Literal["acne_assessment"] = "acne_assessment"
    scale: Literal["iga", "gags"] = "iga"
    grade: int = Field(ge=0, le=GAGS_MAX_SCORE)
    lesions: dict[Literal["face", "chest", "back"], LesionCounts] = Field(default_factory=dict)
    scarring: Literal["none", "mild", "moderate", "severe"] | None = None
    assessed_by: Literal["prescriber", "patient"]

    @model_validator(mode="after")
    def _grade_on_scale(self) -> AcneAssessment:
        if self.scale == "iga" and self.grade > IGA_MAX_GRADE:
            raise ValueError(f"grade: {self.grade} is not an IGA grade; use 0 to 4")
        return self
