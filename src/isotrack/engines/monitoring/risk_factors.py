"""Factors present in this patient that predict a slow response or a relapse.

Reported one by one with their action and sources; they are never added into a score, since no
source validates one.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field

from isotrack.engines.monitoring.alerts import merge_sources
from isotrack.engines.monitoring.course import CourseView
from isotrack.engines.monitoring.screening import ScreenedTerm
from isotrack.engines.monitoring.terms import Vocabulary, term_keys
from isotrack.knowledge import Knowledge
from isotrack.knowledge.monitoring import RiskFactor, RiskKind, risk_factors


class RiskFactorPresent(BaseModel):
    """A risk factor found, what it was found from, and what to do."""

    model_config = ConfigDict(frozen=True)

    id: str
    term: str
    kinds: list[RiskKind]
    found_from: str
    action: str
    source_ids: list[str]
    event_ids: list[str] = Field(default_factory=list)


def _age_factor(
    knowledge: Knowledge, factor: RiskFactor, course: CourseView
) -> RiskFactorPresent | None:
    rule = factor.age_rule
    if rule is None:
        return None
    patient = course.timeline.patient
    if rule.sex_at_birth is not None and patient.sex_at_birth != rule.sex_at_birth:
        return None
    age = course.age_at_start_years
    when = "at the first dose" if course.start else "today (course not started)"
    if rule.below_fact is not None:
        limit = knowledge.number(rule.below_fact)
        present, word, fact_id = age < limit, "below", rule.below_fact
    else:
        assert rule.above_fact is not None
        limit = knowledge.number(rule.above_fact)
        present, word, fact_id = age > limit, "above", rule.above_fact
    if not present:
        return None
    return RiskFactorPresent(
        id=factor.id,
        term=factor.term,
        kinds=list(factor.kinds),
        found_from=f"age {age} {when}, {word} {limit:g}",
        action=factor.action,
        source_ids=merge_sources(factor.source_ids, knowledge.fact(fact_id).source_ids),
    )


def find_risk_factors(
    knowledge: Knowledge, terms: Sequence[ScreenedTerm], course: CourseView
) -> list[RiskFactorPresent]:
    """Risk factors matched from conditions and medicines, and from the patient's age."""
    vocabulary: Vocabulary[RiskFactor] = knowledge.derived(
        ("monitoring.vocabulary", "risk_factors"),
        lambda: Vocabulary(
            (f, term_keys(f.term, f.synonyms)) for f in risk_factors(knowledge) if f.input_kinds
        ),
    )
    found: dict[str, RiskFactorPresent] = {}
    for term in terms:
        for factor in vocabulary.match(term.text):
            if term.kind not in factor.input_kinds:
                continue
            earlier = found.get(factor.id)
            found[factor.id] = RiskFactorPresent(
                id=factor.id,
                term=factor.term,
                kinds=list(factor.kinds),
                found_from=(earlier.found_from + "; " if earlier else "")
                + f"{term.kind.value} {term.text!r}",
                action=factor.action,
                source_ids=list(factor.source_ids),
                event_ids=[*(earlier.event_ids if earlier else []), *term.event_ids],
            )
    for factor in risk_factors(knowledge):
        present = _age_factor(knowledge, factor, course)
        if present is not None:
            found[factor.id] = present
    return list(found.values())
