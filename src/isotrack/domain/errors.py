"""Errors that name what was wrong, where, and what is allowed."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldProblem:
    """One rejected field: where it is, what it held, and what would have been accepted."""

    location: str  # e.g. "events[3] (id 'rx1').daily_dose_mg"
    field: str
    value: object
    allowed: str

    def message(self) -> str:
        return (
            f"{self.location}, field {self.field!r}: value {self.value!r} is not allowed; "
            f"allowed: {self.allowed}"
        )


class IsotrackInputError(ValueError):
    """Input was rejected. ``problems`` lists every field at fault."""

    def __init__(self, problems: list[FieldProblem], summary: str = "invalid input") -> None:
        self.problems = problems
        self.summary = summary
        lines = "\n".join(f"- {p.message()}" for p in problems)
        super().__init__(f"{summary}:\n{lines}" if problems else summary)
