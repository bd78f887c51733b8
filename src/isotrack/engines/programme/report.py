"""Output models of the programme engine: requirements, the dispense decision, the report."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from isotrack.engines.monitoring.hold_models import ClinicalHold
from isotrack.engines.treatment_period import TreatmentPeriod


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class RequirementStatus(StrEnum):
    MET = "met"
    UNMET = "unmet"
    DUE = "due"
    NOT_APPLICABLE = "not_applicable"
    # The record holds what may satisfy it, but a fact needed to judge it is missing (a urine
    # test whose kit sensitivity no one recorded). Never satisfies a gate: it blocks like
    # ``unmet`` and its message says what to record.
    UNKNOWN = "unknown"


# Statuses that leave a gating requirement open: a dispense waits for each of them.
BLOCKING_STATUSES = frozenset({RequirementStatus.UNMET, RequirementStatus.UNKNOWN})


class Role(StrEnum):
    PRESCRIBER = "prescriber"
    PHARMACIST = "pharmacist"
    PATIENT = "patient"


class UsedFact(Frozen):
    """A number a requirement used, with the fact that supplied it."""

    parameter: str
    fact_id: str
    value: float | None
    unit: str


class Requirement(Frozen):
    """One programme requirement for this course on the evaluation date."""

    id: str
    title: str
    status: RequirementStatus
    message: str
    who: Role
    due_date: dt.date | None = None
    window_start: dt.date | None = None
    window_end: dt.date | None = None
    event_ids: list[str] = Field(default_factory=list)
    rule_id: str
    source_ids: list[str]
    gates_dispense: bool = Field(
        description="True when this requirement must be met before the prescription is dispensed"
    )
    facts: list[UsedFact] = Field(default_factory=list)
    no_longer_applies_since: dt.date | None = Field(
        default=None,
        description="set on a condition of the first dispense that was not met on record when "
        "treatment began (that day): it gates no later fill and is asked for nowhere again; "
        "the status is not_applicable and the message says so",
    )


class DispenseReason(Frozen):
    """Why a dispense is refused: an unmet requirement, in words a pharmacist can act on."""

    requirement_id: str
    message: str
    rule_id: str
    source_ids: list[str]


class NextStep(Frozen):
    """What someone must do next, and from or by when."""

    who: Role
    what: str
    not_before: dt.date | None = None
    by: dt.date | None = None
    requirement_id: str


class AppliedOverride(Frozen):
    """A clinic override in force, as shown in every output."""

    description: str
    reason: str
    source_ids: list[str]


class PolicySummary(Frozen):
    id: str
    title: str
    programme: str
    edition: str
    effective_from: dt.date | None
    in_force: bool = Field(description="True when the evaluation date is on/after effective_from")
    extends: str | None = None
    overrides: list[AppliedOverride] = Field(default_factory=list)
    note: str = ""


class DispenseDecision(Frozen):
    """May this prescription be dispensed on this day, until when, and if not, why.

    Two judgements, kept apart so a pharmacist reads both: the programme (``programme_met``,
    else ``reasons``) and the clinical holds (critical alerts no prescriber has lifted).
    ``authorized`` needs the programme met and no clinical hold.
    """

    policy: PolicySummary
    on: dt.date
    prescription_id: str | None
    authorized: bool
    programme_met: bool = Field(
        default=False, description="a prescription is waiting and every programme rule is met"
    )
    reasons: list[DispenseReason] = Field(default_factory=list)
    clinical_holds: list[ClinicalHold] = Field(default_factory=list)
    course_status: str = Field(
        default="active",
        description="active, on clinical hold, stopped: pregnancy or stopped: alert review",
    )
    dispense_by: dt.date | None = Field(
        default=None, description="last day on which dispensing is allowed (null: no window)"
    )
    max_days_supply: int | None = None
    next_steps: list[NextStep] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)


class ProgrammeReport(Frozen):
    """The programme section of ``evaluate``: every requirement and the dispense decision.

    ``treatment`` is the first and last dose the requirements were judged against (shared with
    the dose and monitoring sections; its ``start_basis`` says whether the start is inferred).
    """

    policy: PolicySummary
    as_of: dt.date
    category: str
    treatment: TreatmentPeriod
    requirements: list[Requirement]
    dispense_decision: DispenseDecision
