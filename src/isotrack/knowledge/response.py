"""Knowledge records of treatment response: the acne grading scales and their grades."""

from __future__ import annotations

from typing import Self

from pydantic import Field, model_validator

from isotrack.knowledge.model import Record
from isotrack.knowledge.sections import EXTRA_SECTIONS


class Grade(Record):
    """One grade (or a band of scores) of a scale, as the scale's authors define it."""

    low: int = Field(ge=0)
    high: int = Field(ge=0)
    label: str
    description: str


class GradingScale(Record):
    """A global acne severity scale: its range, its grades and where it is defined."""

    id: str
    name: str
    minimum: int = Field(ge=0)
    maximum: int = Field(ge=0)
    grades: list[Grade] = Field(min_length=2)
    source_ids: list[str] = Field(min_length=1)
    note: str

    @model_validator(mode="after")
    def _grades_cover_the_range(self) -> Self:
        expected = self.minimum
        for grade in self.grades:
            if grade.low != expected or grade.high < grade.low:
                raise ValueError(
                    f"scale {self.id!r}: grades must cover {self.minimum}-"
                    f"{self.maximum} in order without gaps"
                )
            expected = grade.high + 1
        if expected - 1 != self.maximum:
            raise ValueError(f"scale {self.id!r}: grades end at {expected - 1}, not {self.maximum}")
        return self

    def grade(self, value: int) -> Grade:
        for grade in self.grades:
            if grade.low <= value <= grade.high:
                return grade
        raise ValueError(f"{self.name}: {value} is outside {self.minimum}-{self.maximum}")


EXTRA_SECTIONS["grading_scale"] = GradingScale
