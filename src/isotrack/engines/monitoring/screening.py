"""Screening of conditions, allergies and medicines against contraindications and interactions.

Every input is accounted for: it yields findings, is recognised with nothing to report, or is
listed as unknown. Nothing is silently passed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from isotrack.engines.monitoring.alerts import Alert, merge_sources
from isotrack.engines.monitoring.policy_choice import PolicyChoice, choose_position
from isotrack.engines.monitoring.terms import Vocabulary, term_keys
from isotrack.knowledge import Knowledge
from isotrack.knowledge.model import Product
from isotrack.knowledge.monitoring import (
    Code,
    Contraindication,
    ContraindicationKind,
    InputKind,
    Interaction,
    InteractionLevel,
    KnownTerm,
    RiskFactor,
    Severity,
    contraindications,
    interactions,
    known_terms,
    risk_factors,
)

MINIMUM_AGE_FACT = "dosing.minimum_age_years"  # one fact serves planner and screening

FindingCategory = Literal["absolute_contraindication", "relative_contraindication", "interaction"]
ScreenedKind = Literal["condition", "allergy", "medication", "age", "product"]


class ScreeningFinding(BaseModel):
    """One input that matched a contraindication or an interaction."""

    model_config = ConfigDict(frozen=True)

    input_kind: ScreenedKind
    input: str
    record_id: str
    term: str
    category: FindingCategory
    level: str
    effect: str = ""
    action: str
    codes: list[Code] = Field(default_factory=list)
    source_ids: list[str]
    note: str = ""
    event_ids: list[str] = Field(default_factory=list)


class RecognisedTerm(BaseModel):
    """An input found in the vocabulary with nothing to report (or reported elsewhere)."""

    model_config = ConfigDict(frozen=True)

    input_kind: ScreenedKind
    input: str
    record_id: str
    term: str
    note: str
    event_ids: list[str] = Field(default_factory=list)


class UnknownInput(BaseModel):
    """An input that could not be checked: it must be reviewed by a person."""

    model_config = ConfigDict(frozen=True)

    input_kind: ScreenedKind
    input: str
    message: str
    event_ids: list[str] = Field(default_factory=list)


class ScreeningReport(BaseModel):
    """Everything screened, in three groups: findings, recognised, unknown."""

    model_config = ConfigDict(frozen=True)

    findings: list[ScreeningFinding]
    recognised: list[RecognisedTerm]
    unknown: list[UnknownInput]
    age_years: int | None
    product: str | None
    positions: list[PolicyChoice]

    @property
    def absolute(self) -> list[ScreeningFinding]:
        return [f for f in self.findings if f.category == "absolute_contraindication"]


@dataclass(frozen=True)
class ScreenedTerm:
    kind: InputKind
    text: str
    event_ids: tuple[str, ...] = field(default_factory=tuple)


_INTERACTION_CATEGORY: dict[InteractionLevel, FindingCategory] = {
    InteractionLevel.CONTRAINDICATED: "absolute_contraindication",
    InteractionLevel.AVOID: "interaction",
    InteractionLevel.CAUTION: "interaction",
    InteractionLevel.ADVICE: "interaction",
}


class _Vocabularies:
    def __init__(self, knowledge: Knowledge) -> None:
        self.contraindications: Vocabulary[Contraindication] = Vocabulary(
            (c, term_keys(c.term, c.synonyms, c.codes)) for c in contraindications(knowledge)
        )
        self.interactions: Vocabulary[Interaction] = Vocabulary(
            (i, term_keys(i.agent, i.synonyms, i.codes)) for i in interactions(knowledge)
        )
        self.known: Vocabulary[KnownTerm] = Vocabulary(
            (k, term_keys(k.term, k.synonyms, k.codes)) for k in known_terms(knowledge)
        )
        self.risk_factors: Vocabulary[RiskFactor] = Vocabulary(
            (r, term_keys(r.term, r.synonyms)) for r in risk_factors(knowledge) if r.input_kinds
        )


def _contraindication_finding(
    knowledge: Knowledge,
    record: Contraindication,
    term: ScreenedTerm,
    product: Product | None,
    product_id: str | None,
    policy_id: str | None,
    positions: dict[str, PolicyChoice],
) -> ScreeningFinding | RecognisedTerm:
    kind = record.kind
    notes: list[str] = []
    sources = list(record.source_ids)
    if record.disagreement is not None:
        choice = choose_position(knowledge, policy_id, record.disagreement)
        if choice is not None and choice.position in record.kind_by_position:
            positions[choice.disagreement] = choice
            kind = record.kind_by_position[choice.position]
            notes.append(f"{choice.chosen_by} takes position {choice.position!r}")
            sources = merge_sources(sources, choice.source_ids)
        else:
            others = ", ".join(f"{p} = {k.value}" for p, k in record.kind_by_position.items())
            notes.append(f"no policy position; sources differ ({others})")
    if record.product_excipient is not None:
        excipient = record.product_excipient.replace("_", " ")
        contains = getattr(product, f"contains_{record.product_excipient}", None)
        if product is not None and contains is False:
            return RecognisedTerm(
                input_kind=term.kind.value,
                input=term.text,
                record_id=record.id,
                term=record.term,
                note=f"product {product.id!r} contains no {excipient}",
                event_ids=list(term.event_ids),
            )
        if product is None:
            notes.append(
                f"applies if the chosen product contains {excipient}"
                if product_id is None
                else f"product {product_id!r} is unknown: treat as containing {excipient}"
            )
        elif contains is None:
            notes.append(f"whether {product.id!r} contains {excipient} is not recorded")
        else:
            notes.append(f"{product.id!r} contains {excipient}")
    category: FindingCategory = (
        "absolute_contraindication"
        if kind is ContraindicationKind.ABSOLUTE
        else "relative_contraindication"
    )
    return ScreeningFinding(
        input_kind=term.kind.value,
        input=term.text,
        record_id=record.id,
        term=record.term,
        category=category,
        level=kind.value,
        action=record.action,
        codes=list(record.codes),
        source_ids=sources,
        note="; ".join(notes),
        event_ids=list(term.event_ids),
    )


def screen_terms(
    knowledge: Knowledge,
    terms: Sequence[ScreenedTerm],
    *,
    age_years: int | None,
    product_id: str | None,
    policy_id: str | None = None,
    age_event_ids: Iterable[str] = (),
) -> ScreeningReport:
    """Screen coded or free-text inputs (with the events they came from)."""
    # Indexed once per knowledge base: the vocabularies depend on nothing else.
    vocab = knowledge.derived(("monitoring.vocabularies",), lambda: _Vocabularies(knowledge))
    findings: list[ScreeningFinding] = []
    recognised: list[RecognisedTerm] = []
    unknown: list[UnknownInput] = []
    positions: dict[str, PolicyChoice] = {}
    product: Product | None = None
    if product_id is not None:
        product = knowledge.products.get(product_id)
        if product is None:
            unknown.append(
                UnknownInput(
                    input_kind="product",
                    input=product_id,
                    message="unknown product: its excipients could not be checked; known: "
                    + ", ".join(sorted(knowledge.products)),
                )
            )
    for term in terms:
        matched = False
        for record in vocab.contraindications.match(term.text):
            if term.kind not in record.input_kinds:
                continue
            matched = True
            outcome = _contraindication_finding(
                knowledge, record, term, product, product_id, policy_id, positions
            )
            if isinstance(outcome, ScreeningFinding):
                findings.append(outcome)
            else:
                recognised.append(outcome)
        if term.kind is InputKind.MEDICATION:
            for interaction in vocab.interactions.match(term.text):
                matched = True
                findings.append(
                    ScreeningFinding(
                        input_kind=term.kind.value,
                        input=term.text,
                        record_id=interaction.id,
                        term=interaction.agent,
                        category=_INTERACTION_CATEGORY[interaction.level],
                        level=interaction.level.value,
                        effect=interaction.effect,
                        action=interaction.action,
                        codes=list(interaction.codes),
                        source_ids=list(interaction.source_ids),
                        event_ids=list(term.event_ids),
                    )
                )
        for known in vocab.known.match(term.text):
            if term.kind in known.input_kinds:
                matched = True
                recognised.append(
                    RecognisedTerm(
                        input_kind=term.kind.value,
                        input=term.text,
                        record_id=known.id,
                        term=known.term,
                        note=known.note,
                        event_ids=list(term.event_ids),
                    )
                )
        for factor in vocab.risk_factors.match(term.text):
            if term.kind in factor.input_kinds:
                matched = True
                recognised.append(
                    RecognisedTerm(
                        input_kind=term.kind.value,
                        input=term.text,
                        record_id=factor.id,
                        term=factor.term,
                        note="a response or relapse risk factor (see risk factors)",
                        event_ids=list(term.event_ids),
                    )
                )
        if not matched:
            unknown.append(
                UnknownInput(
                    input_kind=term.kind.value,
                    input=term.text,
                    message=f"{term.kind.value} not in isotrack's vocabulary: not checked for "
                    "contraindications or interactions; review it yourself",
                    event_ids=list(term.event_ids),
                )
            )
    findings.extend(_age_findings(knowledge, age_years, unknown, list(age_event_ids)))
    return ScreeningReport(
        findings=findings,
        recognised=recognised,
        unknown=unknown,
        age_years=age_years,
        product=product_id,
        positions=list(positions.values()),
    )


def _age_findings(
    knowledge: Knowledge, age_years: int | None, unknown: list[UnknownInput], event_ids: list[str]
) -> list[ScreeningFinding]:
    fact = knowledge.fact(MINIMUM_AGE_FACT)
    minimum = knowledge.number(MINIMUM_AGE_FACT)
    if age_years is None:
        unknown.append(
            UnknownInput(
                input_kind="age",
                input="",
                message=f"age not given: the under-{minimum:g} check was not made",
            )
        )
        return []
    if age_years >= minimum:
        return []
    return [
        ScreeningFinding(
            input_kind="age",
            input=str(age_years),
            record_id=MINIMUM_AGE_FACT,
            term=f"Age under {minimum:g} years",
            category="relative_contraindication",
            level=ContraindicationKind.RELATIVE.value,
            action="Not recommended below this age or for prepubertal acne; specialist decision "
            "only.",
            source_ids=list(fact.source_ids),
            event_ids=event_ids,
        )
    ]


def screen(
    knowledge: Knowledge,
    conditions: Sequence[str] = (),
    allergies: Sequence[str] = (),
    medications: Sequence[str] = (),
    *,
    age_years: int | None = None,
    product: str | None = None,
    policy_id: str | None = None,
) -> ScreeningReport:
    """Check conditions, allergies and medicines (free text or codes) before or during a course.

    >>> from isotrack.knowledge import load_knowledge
    >>> report = screen(load_knowledge(), medications=["doxycycline 100 mg"], age_years=17)
    >>> [(f.record_id, f.category) for f in report.findings]
    [('tetracyclines', 'absolute_contraindication')]
    """
    terms = [
        *(ScreenedTerm(InputKind.CONDITION, text) for text in conditions),
        *(ScreenedTerm(InputKind.ALLERGY, text) for text in allergies),
        *(ScreenedTerm(InputKind.MEDICATION, text) for text in medications),
    ]
    return screen_terms(
        knowledge, terms, age_years=age_years, product_id=product, policy_id=policy_id
    )


_FINDING_SEVERITY: dict[str, Severity] = {
    "absolute": Severity.CRITICAL,
    "contraindicated": Severity.CRITICAL,
    "relative": Severity.WARNING,
    "avoid": Severity.WARNING,
    "caution": Severity.WARNING,
    "advice": Severity.INFO,
}


def screening_alerts(report: ScreeningReport) -> list[Alert]:
    """Alerts for the evaluate output: each finding, and each input that could not be checked."""
    alerts = [
        Alert(
            severity=_FINDING_SEVERITY[finding.level],
            code=f"SCREEN_{finding.category.upper()}",
            topic="screening",
            message=f"{finding.input_kind} {finding.input!r}: {finding.term}"
            + (f" — {finding.effect}" if finding.effect else "")
            + (f" ({finding.note})" if finding.note else ""),
            action=finding.action,
            source_ids=finding.source_ids,
            event_ids=finding.event_ids,
        )
        for finding in report.findings
    ]
    alerts.extend(
        Alert(
            severity=Severity.WARNING,
            code="SCREEN_UNKNOWN_TERM",
            topic="screening",
            message=f"{item.input_kind} {item.input!r}: {item.message}.",
            action="Check this input by hand or record it with a recognised term.",
            event_ids=item.event_ids,
        )
        for item in report.unknown
        if item.input_kind != "age"
    )
    return alerts
