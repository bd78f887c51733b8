"""The patient's monthly comprehension questions (``[[comprehension_question]]``).

iPLEDGE's own questions are not public (``programmes.md`` open question 5); these are
isotrack's questions, each about one cited fact a patient in the programme must know.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from isotrack.knowledge.model import Record
from isotrack.knowledge.sections import CROSS_CHECKS, EXTRA_SECTIONS


class ComprehensionQuestion(Record):
    """One question with its choices; ``correct`` is the index of the right choice."""

    id: str
    order: int
    question: str
    choices: list[str] = Field(min_length=2, max_length=4)
    correct: int = Field(ge=0)
    explanation: str
    fact_ids: list[str] = Field(default_factory=list)
    source_ids: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _correct_is_a_choice(self) -> ComprehensionQuestion:
        if self.correct >= len(self.choices):
            raise ValueError(f"correct: {self.correct} is not the index of one of the choices")
        return self


def _facts_exist(knowledge: Any) -> list[str]:
    questions = knowledge.sections.get("comprehension_question", {})
    return [
        f"comprehension_question {q.id}: fact {fact_id!r} is not in the knowledge base"
        for q in questions.values()
        for fact_id in q.fact_ids
        if fact_id not in knowledge.sections.get("fact", {})
    ]


EXTRA_SECTIONS["comprehension_question"] = ComprehensionQuestion
CROSS_CHECKS.append(_facts_exist)
