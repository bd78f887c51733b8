"""Typed records of the knowledge base: sources, facts, products, disagreements, myths, policies.

The TOML files under ``knowledge/data/`` are validated into these models when the knowledge
loads; an invalid file stops start-up with a message naming the file, the record and the field.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from isotrack.knowledge.units import is_known_unit


def in_force(effective_from: dt.date | None, effective_until: dt.date | None, day: dt.date) -> bool:
    """True when ``day`` is on or after ``effective_from`` and before ``effective_until``."""
    if effective_from is not None and day < effective_from:
        return False
    return effective_until is None or day < effective_until


class Record(BaseModel):
    """Base of every knowledge record: immutable, strict about unknown keys.

    Each model's validator is built when a record is first validated, not when the class is
    defined: knowledge read back from the cache (``cache``) is never validated again, and
    building all of them took longer than a whole ``check-dispense`` may (issue 12)."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class SourceKind(StrEnum):
    LABEL = "label"
    GUIDELINE = "guideline"
    CONSENSUS = "consensus"
    STUDY = "study"
    REVIEW = "review"
    REGULATOR_PROGRAMME = "regulator_programme"
    POPULAR_ARTICLE = "popular_article"
    REGISTRY = "registry"
    # A public service's own page: a crisis line, a pharmacovigilance reporting scheme.
    SERVICE = "service"
    # isotrack's own documented choice where no source settles a point (docs/decisions.md).
    PROJECT_DECISION = "project_decision"


class EvidenceLevel(StrEnum):
    LABEL = "label"
    GUIDELINE = "guideline"
    CONSENSUS = "consensus"
    STUDY = "study"
    EXPERT_OPINION = "expert_opinion"
    UNSUPPORTED_CLAIM = "unsupported_claim"


class Source(Record):
    """One entry of the bibliography."""

    id: str
    kind: SourceKind
    issuer: str = Field(description="authors or issuing body")
    title: str
    year: int | None = None
    doi: str | None = None
    url: str | None = None
    note: str = ""

    @model_validator(mode="after")
    def _locatable(self) -> Self:
        if not (self.doi or self.url):
            raise ValueError(f"source {self.id!r} needs a doi or a url")
        return self


class Fact(Record):
    """A cited clinical number (a value or a low–high range) or a cited statement."""

    id: str
    value: float | None = None
    low: float | None = None
    high: float | None = None
    text: str | None = None
    unit: str
    applies_to: list[str] = Field(default_factory=list)
    source_ids: list[str] = Field(min_length=1)
    evidence: EvidenceLevel
    note: str

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        has_range = self.low is not None or self.high is not None
        if self.value is None and not has_range and self.text is None:
            raise ValueError(f"fact {self.id!r} needs a value, a low/high range or a text")
        if self.value is not None and has_range:
            raise ValueError(f"fact {self.id!r} has both a value and a range")
        if has_range:
            if self.low is None or self.high is None:
                raise ValueError(f"fact {self.id!r}: a range needs both low and high")
            if self.low > self.high:
                raise ValueError(
                    f"fact {self.id!r}: range is inverted (low {self.low} > high {self.high})"
                )
        if not is_known_unit(self.unit):
            raise ValueError(f"fact {self.id!r}: unit {self.unit!r} is not a known unit")
        return self


class Formulation(StrEnum):
    CONVENTIONAL = "conventional"
    LIDOSE = "lidose"
    MICRONISED = "micronised"


class FoodInstruction(StrEnum):
    WITH_FOOD = "with_food"
    WITH_OR_WITHOUT_FOOD = "with_or_without_food"


class Product(Record):
    """An isotretinoin product as marketed: strengths, food rule, labelled dose range."""

    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    name: str
    markets: list[str] = Field(min_length=1)
    manufacturer: str = ""
    formulation: Formulation
    strengths_mg: list[float] = Field(min_length=1)
    food: FoodInstruction
    usual_low_mg_per_kg_day: float
    usual_high_mg_per_kg_day: float
    max_mg_per_kg_day: float
    marketed: bool = True
    contains_soybean_oil: bool | None = None
    contains_parabens: bool | None = None
    interchangeable_with_conventional: bool = True
    equivalence_note: str = ""
    # What a course's cumulative mg/kg means for this product, stated beside the dose progress
    # of any course that used it (e.g. micronised mg counted as taken, not converted).
    cumulative_dose_basis: str = ""
    source_ids: list[str] = Field(min_length=1)
    note: str = ""

    @model_validator(mode="after")
    def _dose_range(self) -> Self:
        if self.usual_low_mg_per_kg_day > self.usual_high_mg_per_kg_day:
            raise ValueError(f"product {self.id!r}: usual dose range is inverted")
        if self.usual_high_mg_per_kg_day > self.max_mg_per_kg_day:
            raise ValueError(f"product {self.id!r}: usual high exceeds the labelled maximum")
        if sorted(self.strengths_mg) != self.strengths_mg or len(set(self.strengths_mg)) != len(
            self.strengths_mg
        ):
            raise ValueError(f"product {self.id!r}: strengths must be ascending and distinct")
        return self


class Position(Record):
    """One side of a disagreement between sources."""

    id: str
    summary: str
    value: float | None = None
    low: float | None = None
    high: float | None = None
    unit: str | None = None
    source_ids: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _unit(self) -> Self:
        if self.unit is not None and not is_known_unit(self.unit):
            raise ValueError(f"position {self.id!r}: unit {self.unit!r} is not a known unit")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"position {self.id!r}: range is inverted")
        return self


class Disagreement(Record):
    """A question on which cited sources take different positions."""

    id: str
    topic: str
    question: str
    positions: list[Position] = Field(min_length=2)
    note: str = ""

    def position(self, position_id: str) -> Position:
        for candidate in self.positions:
            if candidate.id == position_id:
                return candidate
        known = ", ".join(p.id for p in self.positions)
        raise KeyError(f"disagreement {self.id!r} has no position {position_id!r} (known: {known})")


class Verdict(StrEnum):
    TRUE = "true"
    PARTLY_TRUE = "partly_true"
    FALSE = "false"
    UNSUPPORTED = "unsupported"


class Myth(Record):
    """A claim from popular writing, graded against cited sources."""

    id: str
    claim: str
    verdict: Verdict
    correction: str
    topic: str
    audience: list[str] = Field(default_factory=lambda: ["everyone"])
    claimed_by: list[str] = Field(default_factory=list, description="source ids making the claim")
    source_ids: list[str] = Field(min_length=1)


class PolicyOverride(Record):
    """A clinic's documented departure from the policy it extends; shown in every output.

    Exactly one kind per override: a parameter takes another fact (``parameter`` +
    ``fact_id``), a disagreement takes another position (``disagreement`` + ``position``), a
    programme rule is switched on or off (``rule_id`` + ``rule_applies``), or the edition's
    dates move (``effective_from`` and/or ``effective_until``; only to a date the knowledge
    base records as a candidate, checked when it loads).
    """

    parameter: str | None = None
    fact_id: str | None = None
    disagreement: str | None = None
    position: str | None = None
    rule_id: str | None = None
    rule_applies: bool | None = None
    effective_from: dt.date | None = None
    effective_until: dt.date | None = None
    reason: str = Field(min_length=1)
    source_ids: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_kind(self) -> Self:
        pairs = {
            "parameter/fact_id": (self.parameter, self.fact_id),
            "disagreement/position": (self.disagreement, self.position),
            "rule_id/rule_applies": (self.rule_id, self.rule_applies),
        }
        complete = [name for name, (a, b) in pairs.items() if a is not None and b is not None]
        partial = [name for name, (a, b) in pairs.items() if (a is None) != (b is None)]
        if self.effective_from is not None or self.effective_until is not None:
            complete.append("effective_from/effective_until")
        if partial or len(complete) != 1:
            raise ValueError(
                "an override sets exactly one pair: parameter/fact_id, "
                "disagreement/position, rule_id/rule_applies or the dates"
            )
        return self


class EditionDate(Record):
    """A date an edition may come into force on, as one source or report gives it."""

    date: dt.date
    summary: str
    source_ids: list[str] = Field(min_length=1)


class Policy(Record):
    """A named programme/guideline profile: which positions and parameters apply.

    ``positions`` maps a disagreement id to the chosen position id; ``parameters`` maps a
    rule parameter name to the fact id that supplies its number. A clinic policy names the
    policy it ``extends`` and lists its ``overrides``; the loader merges the base into it.
    """

    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    title: str
    market: str
    programme: str
    edition: str
    effective_from: dt.date | None = None
    effective_until: dt.date | None = None
    # Where sources disagree on when the edition comes into force: each recorded date; a
    # clinic picks one of them (an override), never a date of its own.
    effective_from_candidates: list[EditionDate] = Field(default_factory=list)
    # The edition this one replaces, whose end moves with this edition's start.
    replaces: str | None = None
    positions: dict[str, str] = Field(default_factory=dict)
    parameters: dict[str, str] = Field(default_factory=dict)
    source_ids: list[str] = Field(min_length=1)
    note: str = ""
    extends: str | None = None
    overrides: list[PolicyOverride] = Field(default_factory=list)

    def in_force_on(self, day: dt.date) -> bool:
        """True when ``day`` falls inside the policy's dated validity."""
        return in_force(self.effective_from, self.effective_until, day)
