"""Knowledge records of safety monitoring: lab tests and grades, lab schedules, the adverse-effect
catalogue, screening vocabulary (contraindications, interactions), risk factors and mood rules.

Which assessments a programme requires (the UK mental-health and sexual-function reviews) is a
programme rule (``knowledge/programme.py``), not a monitoring record.

Numbers live in ``[[fact]]`` records that these records name by id, or in records that carry
their own sources and evidence level. ``monitoring_checks.monitoring_problems`` checks the links
between them (a grade naming a missing test, a schedule naming a missing fact, ...); the loader
runs it whenever the knowledge loads.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal, Self

from pydantic import Field, model_validator

from isotrack.knowledge.loader import Knowledge
from isotrack.knowledge.model import EvidenceLevel, Record
from isotrack.knowledge.sections import EXTRA_SECTIONS
from isotrack.knowledge.units import is_known_unit


class Severity(StrEnum):
    """How urgently an alert needs a person: read it, act soon, act now."""

    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _SEVERITY_ORDER.index(self)


_SEVERITY_ORDER = (Severity.CRITICAL, Severity.WARNING, Severity.INFO)


class CodeSystem(Record):
    """A coding system used by the screening vocabulary (ATC, ICD-10, LOINC)."""

    id: str
    title: str
    url: str
    source_ids: list[str] = Field(min_length=1)


class Code(Record):
    system: str
    code: str = Field(min_length=1)


# --- laboratory ---------------------------------------------------------------------------------


class LoincCode(Record):
    """One LOINC code of a test; ``unit`` fixes which kind of quantity the code reports.

    A code whose property is "mass or moles" fixes neither: ``also_units`` lists the other
    kinds it may carry (LOINC 35217-9 is reported in mg/dL and in mmol/L).
    """

    code: str = Field(pattern=r"^[0-9]{1,7}-[0-9]$")
    unit: str
    also_units: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unit(self) -> Self:
        for unit in (self.unit, *self.also_units):
            if not is_known_unit(unit):
                raise ValueError(f"LOINC {self.code}: unit {unit!r} is not a known unit")
        return self


class LabTest(Record):
    """A laboratory test isotrack reads, how results may be written and how to convert them."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    name: str
    loinc: list[LoincCode] = Field(min_length=1)
    synonyms: list[str] = Field(default_factory=list)
    canonical_unit: str
    common_units: list[str] = Field(min_length=1)
    # Spellings labs use that pint reads differently, e.g. "IU/L" for enzyme activity.
    unit_aliases: dict[str, str] = Field(default_factory=dict)
    molar_mass_fact: str | None = None
    default_upper_limit_fact: str | None = None
    source_ids: list[str] = Field(min_length=1)
    note: str = ""

    @model_validator(mode="after")
    def _units(self) -> Self:
        for unit in (self.canonical_unit, *self.common_units, *self.unit_aliases.values()):
            if not is_known_unit(unit):
                raise ValueError(f"lab test {self.id!r}: unit {unit!r} is not a known unit")
        return self


class Comparison(StrEnum):
    AT_LEAST = ">="
    ABOVE = ">"
    AT_MOST = "<="  # low-count bands: the band covers values at or below the threshold
    BELOW = "<"

    @property
    def low_side(self) -> bool:
        return self in (Comparison.AT_MOST, Comparison.BELOW)


class ThresholdBasis(StrEnum):
    ABSOLUTE = "absolute"  # the threshold fact is a concentration
    ULN_MULTIPLE = "uln_multiple"  # the threshold fact is in x_ULN


class LabGrade(Record):
    """One band of a grading scale: a result that reaches ``threshold_fact`` earns this grade.

    The highest band a result reaches is reported; each band carries its own action.
    """

    id: str
    test: str
    basis: ThresholdBasis
    threshold_fact: str
    comparison: Comparison
    severity: Severity
    code: str = Field(pattern=r"^[A-Z0-9_]+$")
    label: str
    action: str
    source_ids: list[str] = Field(min_length=1)
    # A band where sources disagree applies only under the policies that pick ``position`` of
    # ``disagreement``; a policy that picks no position gets every band (the higher alert).
    disagreement: str | None = None
    position: str | None = None


class StopRuleKind(StrEnum):
    SINGLE_PARAMETER = "single_parameter"
    MULTI_PARAMETER = "multi_parameter"
    NOT_NORMALISING = "not_normalising"


class LabStopRule(Record):
    """How one ``abnormal_labs_stop_rule`` position turns results into a stop/hold alert.

    ``id`` is the position id. ``fold_fact`` is the multiple that counts as raised (of the ULN,
    or of the patient's own baseline where ``baseline_first``); ``min_parameters_fact`` how many
    tests must be raised together; ``consecutive_fact`` how many results in a row.
    """

    id: str
    kind: StopRuleKind
    tests: list[str] = Field(min_length=1)
    fold_fact: str | None = None
    fold_bound: Literal["value", "low", "high"] = "value"
    baseline_first: bool = False
    min_parameters_fact: str | None = None
    consecutive_fact: str | None = None
    comparison: Comparison = Comparison.ABOVE
    code: str = Field(pattern=r"^[A-Z0-9_]+$")
    action: str
    source_ids: list[str] = Field(min_length=1)


class LabScheduleStep(Record):
    """One time point of a lab schedule, relative to the course start or the peak dose.

    A ``before`` step is a baseline: due by the anchor, and a result counts if it is no older
    than ``lookback_fact`` (when given). An ``after`` step is due ``offset_fact`` after the
    anchor (at the anchor when absent); a range offset is itself the window. ``repeat_every_fact``
    repeats the step while treatment lasts. ``window_fact`` is how long after the due date the
    step may still be done before it counts as overdue.
    """

    id: str
    label: str
    timing: Literal["before", "after"] = "after"
    anchor: Literal["course_start", "peak_dose"] = "course_start"
    offset_fact: str | None = None
    repeat_every_fact: str | None = None
    lookback_fact: str | None = None
    window_fact: str | None = None
    tests: list[str] = Field(min_length=1)


class LabSchedule(Record):
    """The lab schedule of one ``lab_schedule`` position (``id`` is the position id)."""

    id: str
    title: str
    steps: list[LabScheduleStep] = Field(min_length=1)
    source_ids: list[str] = Field(min_length=1)
    note: str = ""


# --- adverse effects ----------------------------------------------------------------------------


class AdverseEffect(Record):
    """An adverse effect: how often it occurs, what to advise, and whether it is a red flag."""

    id: str
    term: str
    synonyms: list[str] = Field(default_factory=list)
    frequency: str
    advice: str
    red_flag: bool
    # Severity of the alert a report yields when not a red flag (else it follows the graded
    # severity of the report).
    alert_severity: Severity | None = None
    action: str
    source_ids: list[str] = Field(min_length=1)
    note: str = ""


# --- screening ----------------------------------------------------------------------------------


class InputKind(StrEnum):
    CONDITION = "condition"
    ALLERGY = "allergy"
    MEDICATION = "medication"


class ContraindicationKind(StrEnum):
    ABSOLUTE = "absolute"
    RELATIVE = "relative"


class Contraindication(Record):
    """A condition, allergy or medicine that rules isotretinoin out or calls for caution.

    ``product_excipient`` limits the finding to products containing that excipient. Where
    sources disagree on absolute vs relative, ``disagreement`` names the question and
    ``kind_by_position`` maps each position to the kind it implies.
    """

    id: str
    term: str
    kind: ContraindicationKind
    input_kinds: list[InputKind] = Field(min_length=1)
    synonyms: list[str] = Field(default_factory=list)
    codes: list[Code] = Field(default_factory=list)
    product_excipient: Literal["soybean_oil", "parabens"] | None = None
    disagreement: str | None = None
    kind_by_position: dict[str, ContraindicationKind] = Field(default_factory=dict)
    action: str
    source_ids: list[str] = Field(min_length=1)
    note: str = ""


class InteractionLevel(StrEnum):
    CONTRAINDICATED = "contraindicated"
    AVOID = "avoid"
    CAUTION = "caution"
    ADVICE = "advice"


class Interaction(Record):
    """A medicine or substance that interacts with isotretinoin, with its effect and action."""

    id: str
    agent: str
    synonyms: list[str] = Field(default_factory=list)
    codes: list[Code] = Field(default_factory=list)
    level: InteractionLevel
    effect: str
    action: str
    source_ids: list[str] = Field(min_length=1)


class KnownTerm(Record):
    """A term the vocabulary recognises and for which the sources list nothing to report."""

    id: str
    term: str
    input_kinds: list[InputKind] = Field(min_length=1)
    synonyms: list[str] = Field(default_factory=list)
    codes: list[Code] = Field(default_factory=list)
    note: str
    source_ids: list[str] = Field(min_length=1)


# --- response and relapse ------------------------------------------------------------------------


class RiskKind(StrEnum):
    SLOW_RESPONSE = "slow_response"
    RELAPSE = "relapse"


class AgeRule(Record):
    """Age at the course start that makes the factor present (facts in years)."""

    below_fact: str | None = None
    above_fact: str | None = None
    sex_at_birth: Literal["female", "male"] | None = None

    @model_validator(mode="after")
    def _one_bound(self) -> Self:
        if (self.below_fact is None) == (self.above_fact is None):
            raise ValueError("an age rule names exactly one of below_fact / above_fact")
        return self


class RiskFactor(Record):
    """A factor that predicts a slow response or a relapse, with what to do about it."""

    id: str
    term: str
    kinds: list[RiskKind] = Field(min_length=1)
    synonyms: list[str] = Field(default_factory=list)
    input_kinds: list[InputKind] = Field(default_factory=list)
    age_rule: AgeRule | None = None
    action: str
    source_ids: list[str] = Field(min_length=1)


# --- mood ---------------------------------------------------------------------------------------


class Phq9Band(Record):
    """A PHQ-9 total-score band (inclusive bounds) with the severity isotrack gives it."""

    id: str
    label: str
    low: int = Field(ge=0)
    high: int = Field(ge=0)
    severity: Severity | None = None
    action: str
    evidence: EvidenceLevel
    source_ids: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.low > self.high:
            raise ValueError(f"PHQ-9 band {self.id!r}: low exceeds high")
        return self


EXTRA_SECTIONS.update(
    {
        "code_system": CodeSystem,
        "lab_test": LabTest,
        "lab_grade": LabGrade,
        "lab_stop_rule": LabStopRule,
        "lab_schedule": LabSchedule,
        "adverse_effect": AdverseEffect,
        "contraindication": Contraindication,
        "interaction": Interaction,
        "known_term": KnownTerm,
        "risk_factor": RiskFactor,
        "phq9_band": Phq9Band,
    }
)


# --- typed access -------------------------------------------------------------------------------


def lab_tests(knowledge: Knowledge) -> dict[str, LabTest]:
    return dict(knowledge.records("lab_test", LabTest))


def lab_grades(knowledge: Knowledge) -> list[LabGrade]:
    return list(knowledge.records("lab_grade", LabGrade).values())


def lab_stop_rules(knowledge: Knowledge) -> dict[str, LabStopRule]:
    return dict(knowledge.records("lab_stop_rule", LabStopRule))


def lab_schedules(knowledge: Knowledge) -> dict[str, LabSchedule]:
    return dict(knowledge.records("lab_schedule", LabSchedule))


def adverse_effects(knowledge: Knowledge) -> list[AdverseEffect]:
    return list(knowledge.records("adverse_effect", AdverseEffect).values())


def contraindications(knowledge: Knowledge) -> list[Contraindication]:
    return list(knowledge.records("contraindication", Contraindication).values())


def interactions(knowledge: Knowledge) -> list[Interaction]:
    return list(knowledge.records("interaction", Interaction).values())


def known_terms(knowledge: Knowledge) -> list[KnownTerm]:
    return list(knowledge.records("known_term", KnownTerm).values())


def risk_factors(knowledge: Knowledge) -> list[RiskFactor]:
    return list(knowledge.records("risk_factor", RiskFactor).values())


def phq9_bands(knowledge: Knowledge) -> list[Phq9Band]:
    return sorted(knowledge.records("phq9_band", Phq9Band).values(), key=lambda b: b.low)
