"""One page of a long list a person reads (the today list, the pharmacy queue): the rows, how
many there are in all, and the page asked for, checked the same way everywhere."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from isotrack.domain.errors import FieldProblem

MAX_PAGE_SIZE = 200
R = TypeVar("R")


@dataclass(frozen=True)
class ListPage(Generic[R]):
    rows: list[R]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def paging_problems(page: int, page_size: int) -> list[FieldProblem]:
    """What is wrong with a page asked for: a page number from 1, at most ``MAX_PAGE_SIZE``
    rows a page."""
    problems = []
    if page < 1:
        problems.append(FieldProblem("query", "page", str(page), "a page number from 1"))
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        problems.append(FieldProblem("query", "page_size", str(page_size), f"1 to {MAX_PAGE_SIZE}"))
    return problems
