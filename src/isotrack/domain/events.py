"""Event types of the course timeline (contract ``isotrack.timeline/1``).

Each event is one dated thing that happened in a course. Fields may be added in later
versions; none is ever renamed. Unknown fields are rejected, never dropped silently.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationInfo, model_validator

from isotrack.domain.clinical_events import (
    AcneAssessment,
    AlertReviewed,
    LesionCounts,
    PregnancyOutcome,
    PregnancyOutcomeRecorded,
)
from isotrack.domain.event_base import EVENT_ID_PATTERN, EventBase
from isotrack.domain.plan_events import CoursePlanned, PlannedPhase
from isotrack.knowledge.units import is_known_unit

__all__ = [
    "EVENT_ID_PATTERN",
    "AcneAssessment",
    "AlertReviewed",
    "CoursePlanned",
    "EventBase",
    "LesionCounts",
    "PlannedPhase",
    "PregnancyOutcome",
    "PregnancyOutcomeRecorded",
]

# Validation context key: the events are a recorded course being read, not a new entry.
READING_RECORD = "reading_record"


class WeightMeasured(EventBase):
    type: Literal["weight"] = "weight"
    weight_kg: float = Field(gt=0, le=500)


class CapsuleCount(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    strength_mg: float = Field(gt=0)
    count: int = Field(ge=1, le=20)


class RegimenDay(BaseModel):
    """The capsules taken on one day of a repeating pattern."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    capsules: list[CapsuleCount]

    @property
    def dose_mg(self) -> float:
        return sum(c.strength_mg * c.count for c in self.capsules)


class PrescriptionWritten(EventBase):
    type: Literal["prescription"] = "prescription"
    product: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    daily_dose_mg: float = Field(gt=0, le=1000)
    days_supply: int = Field(ge=1, le=366)
    refills: int = Field(default=0, ge=0)
    regimen: list[RegimenDay] | None = None
    prescriber_id: str | None = None


class Dispensed(EventBase):
    type: Literal["dispense"] = "dispense"
    prescription_id: str
    days_supply: int = Field(ge=1, le=366)
    capsules: int | None = Field(default=None, ge=1)
    authorization_code: str | None = None
    pharmacy_id: str | None = None
    # iPLEDGE: the pharmacy's Risk Management Authorization for this fill and the date after
    # which it must not be dispensed (the programme gives both when the pharmacy checks in).
    rma_number: str | None = Field(default=None, min_length=1, max_length=40)
    do_not_dispense_after: dt.date | None = None


class DoseChanged(EventBase):
    type: Literal["dose_change"] = "dose_change"
    daily_dose_mg: float = Field(gt=0, le=1000)


class DoseMissed(EventBase):
    """Doses not taken: ``days`` consecutive whole days from ``date``."""

    type: Literal["dose_missed"] = "dose_missed"
    days: int = Field(default=1, ge=1, le=366)


class TreatmentPaused(EventBase):
    type: Literal["pause"] = "pause"
    reason: str | None = None


class TreatmentResumed(EventBase):
    type: Literal["resume"] = "resume"


class CourseStarted(EventBase):
    """The first dose was taken on ``date``."""

    type: Literal["course_start"] = "course_start"


class CourseEnded(EventBase):
    """The last dose was taken on ``date``."""

    type: Literal["course_end"] = "course_end"
    reason: Literal["completed", "adverse_event", "pregnancy", "patient_choice", "other"] = (
        "completed"
    )


class TestResult(StrEnum):
    NEGATIVE = "negative"
    POSITIVE = "positive"
    INVALID = "invalid"


class PregnancyTestTaken(EventBase):
    """A pregnancy test; ``date`` is the day the specimen was collected."""

    type: Literal["pregnancy_test"] = "pregnancy_test"
    result: TestResult
    kind: Literal["urine", "serum"]
    setting: Literal["medical", "laboratory", "home"]
    sensitivity_miu_per_ml: float | None = Field(default=None, gt=0)


class ContraceptionMethodCode(StrEnum):
    TUBAL_STERILISATION = "tubal_sterilisation"
    PARTNER_VASECTOMY = "partner_vasectomy"
    IUD = "iud"
    HORMONAL_IUD = "hormonal_iud"
    IMPLANT = "implant"
    COMBINED_ORAL_CONTRACEPTIVE = "combined_oral_contraceptive"
    CONTRACEPTIVE_PATCH = "contraceptive_patch"
    VAGINAL_RING = "vaginal_ring"
    INJECTABLE = "injectable"
    PROGESTIN_ONLY_PILL = "progestin_only_pill"
    MALE_CONDOM = "male_condom"
    FEMALE_CONDOM = "female_condom"
    DIAPHRAGM_WITH_SPERMICIDE = "diaphragm_with_spermicide"
    CERVICAL_CAP_WITH_SPERMICIDE = "cervical_cap_with_spermicide"
    SPONGE_WITH_SPERMICIDE = "sponge_with_spermicide"
    SPERMICIDE_ALONE = "spermicide_alone"
    WITHDRAWAL = "withdrawal"
    FERTILITY_AWARENESS = "fertility_awareness"
    EMERGENCY_CONTRACEPTION = "emergency_contraception"


class ContraceptionRecorded(EventBase):
    """The methods in use from ``started_on`` (default: the event date) until the next record.

    An empty ``methods`` list without abstinence records that no contraception is used.
    """

    type: Literal["contraception"] = "contraception"
    methods: list[ContraceptionMethodCode] = Field(default_factory=list)
    abstinence: StrictBool = False
    started_on: dt.date | None = None

    @model_validator(mode="after")
    def _distinct(self) -> ContraceptionRecorded:
        if len(set(self.methods)) != len(self.methods):
            raise ValueError("methods: each method may be listed once")
        if self.started_on is not None and self.started_on > self.date:
            raise ValueError("started_on: cannot be after the date the record was made")
        return self

    @property
    def effective_from(self) -> dt.date:
        return self.started_on or self.date


class CounsellingGiven(EventBase):
    type: Literal["counselling"] = "counselling"
    topics: list[str] = Field(default_factory=list)


class ComprehensionChecked(EventBase):
    type: Literal["comprehension_check"] = "comprehension_check"
    passed: StrictBool


Category = Literal["can_get_pregnant", "cannot_get_pregnant"]


class Enrolled(EventBase):
    type: Literal["enrolment"] = "enrolment"
    programme: str | None = None
    registry_id: str | None = None
    category: Category | None = None
    # UK and EU: the acknowledgement-of-risk form, the day it was signed and who signed it.
    risk_form_signed_on: dt.date | None = None
    risk_form_signed_by: str | None = Field(default=None, min_length=1, max_length=200)


class CategoryAssigned(EventBase):
    """The patient's programme category changed (for example menarche or hysterectomy)."""

    type: Literal["category"] = "category"
    category: Category
    reason: str | None = None


class LabResultRecorded(EventBase):
    """A laboratory result; ``test`` is a LOINC code or a short name known to the knowledge base."""

    type: Literal["lab_result"] = "lab_result"
    test: str = Field(min_length=1, max_length=40)
    value: float
    unit: str = Field(min_length=1, max_length=30)
    reference_low: float | None = None
    reference_high: float | None = None

    @model_validator(mode="after")
    def _unit_known(self, info: ValidationInfo) -> LabResultRecorded:
        # A new entry with a unit isotrack cannot read is refused. Reading a recorded course
        # (context READING_RECORD) accepts it: one unreadable result must never stop the whole
        # course loading; the monitoring engine names it as "not checked" instead.
        reading = bool(info.context and info.context.get(READING_RECORD))
        if not reading and not is_known_unit(self.unit):
            raise ValueError(f"unit: {self.unit!r} is not a unit isotrack can read")
        if (
            self.reference_low is not None
            and self.reference_high is not None
            and self.reference_low > self.reference_high
        ):
            raise ValueError("reference_low: must not exceed reference_high")
        return self


class AdverseEventReported(EventBase):
    type: Literal["adverse_event"] = "adverse_event"
    term: str = Field(min_length=1, max_length=120)
    severity: int = Field(ge=1, le=5)


class MoodScreened(EventBase):
    type: Literal["mood_screen"] = "mood_screen"
    instrument: Literal["phq9"] = "phq9"
    item_scores: list[Annotated[int, Field(ge=0, le=3)]] = Field(min_length=9, max_length=9)


class AssessmentDone(EventBase):
    """A clinical assessment required by some programmes (UK mental health, sexual function)."""

    type: Literal["assessment"] = "assessment"
    # no_pregnancy_risk: the prescriber's dated decision that there is no risk of pregnancy
    # (waives the UK test before a repeat prescription for that cycle; issue 11).
    kind: Literal[
        "mental_health",
        "sexual_function",
        "psychiatric_history",
        "second_prescriber_agreement",
        "no_pregnancy_risk",
    ]
    concern: StrictBool | None = None
    outcome: str | None = None


class MedicationRecorded(EventBase):
    type: Literal["medication"] = "medication"
    name: str = Field(min_length=1, max_length=120)
    status: Literal["started", "stopped"] = "started"


class ConditionRecorded(EventBase):
    type: Literal["condition"] = "condition"
    term: str = Field(min_length=1, max_length=120)
    status: Literal["active", "resolved"] = "active"


class AllergyRecorded(EventBase):
    type: Literal["allergy"] = "allergy"
    substance: str = Field(min_length=1, max_length=120)


class VisitHeld(EventBase):
    type: Literal["visit"] = "visit"
    kind: Literal["in_person", "telehealth"] = "in_person"


class PregnancyReported(EventBase):
    """A pregnancy is known. ``last_menstrual_period`` (first day) lets the exposure record
    date the conception and the gestational age; without it they stay unknown."""

    type: Literal["pregnancy_reported"] = "pregnancy_reported"
    last_menstrual_period: dt.date | None = None


class EventVoided(EventBase):
    type: Literal["void"] = "void"
    target_id: str
    reason: str = Field(min_length=1, max_length=1000)


class EventAmended(EventBase):
    """Replaces fields of an earlier event; ``id`` and ``type`` cannot be changed."""

    type: Literal["amend"] = "amend"
    target_id: str
    changes: dict[str, Any] = Field(min_length=1)
    reason: str = Field(min_length=1, max_length=1000)

    @model_validator(mode="after")
    def _no_identity_change(self) -> EventAmended:
        forbidden = {"id", "type"} & set(self.changes)
        if forbidden:
            raise ValueError(f"changes: cannot amend {sorted(forbidden)}")
        return self


Event = Annotated[
    WeightMeasured
    | PrescriptionWritten
    | Dispensed
    | DoseChanged
    | DoseMissed
    | TreatmentPaused
    | TreatmentResumed
    | CourseStarted
    | CourseEnded
    | PregnancyTestTaken
    | ContraceptionRecorded
    | CounsellingGiven
    | ComprehensionChecked
    | Enrolled
    | CategoryAssigned
    | LabResultRecorded
    | AdverseEventReported
    | MoodScreened
    | AssessmentDone
    | MedicationRecorded
    | ConditionRecorded
    | AllergyRecorded
    | VisitHeld
    | PregnancyReported
    | AcneAssessment
    | PregnancyOutcomeRecorded
    | AlertReviewed
    | CoursePlanned
    | EventVoided
    | EventAmended,
    Field(discriminator="type"),
]

EVENT_TYPES: tuple[str, ...] = (
    "weight", "prescription", "dispense", "dose_change", "dose_missed", "pause", "resume",
    "course_start", "course_end", "pregnancy_test", "contraception", "counselling",
    "comprehension_check", "enrolment", "category", "lab_result", "adverse_event",
    "mood_screen", "assessment", "medication", "condition", "allergy", "visit",
    "pregnancy_reported", "pregnancy_outcome", "alert_review", "void", "amend",
    "acne_assessment", "course_plan",
)  # fmt: skip
