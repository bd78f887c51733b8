"""Capsule regimens: which capsules to take each day to deliver a daily dose.

Pure arithmetic over a product's strengths. An exact daily combination is used when one exists
(fewest capsules first); otherwise a short repeating pattern of two neighbouring daily doses whose
mean comes as close to the target as the pattern length allows. No day ever holds more capsules
than allowed. The limits (capsules a day, pattern length) come from the caller, who reads them
from the knowledge base.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations_with_replacement

from pydantic import BaseModel, ConfigDict, Field


class CapsuleCount(BaseModel):
    """``count`` capsules of ``strength_mg``."""

    model_config = ConfigDict(frozen=True)

    strength_mg: float
    count: int = Field(ge=1)


class DoseTime(BaseModel):
    """The capsules of one intake when a day's dose is split."""

    model_config = ConfigDict(frozen=True)

    time: str  # "morning" or "evening"
    capsules: list[CapsuleCount]
    dose_mg: float


class RegimenDay(BaseModel):
    """The capsules of one day of a repeating pattern (a one-day pattern repeats daily)."""

    model_config = ConfigDict(frozen=True)

    capsules: list[CapsuleCount]
    dose_mg: float
    capsule_count: int
    intakes: list[DoseTime] | None = None


@dataclass(frozen=True)
class Combination:
    """A multiset of capsule strengths taken on one day."""

    strengths_mg: tuple[float, ...]  # ascending, one entry per capsule

    @property
    def dose_mg(self) -> float:
        return math.fsum(self.strengths_mg)

    @property
    def capsule_count(self) -> int:
        return len(self.strengths_mg)

    def split(self) -> tuple[tuple[float, ...], tuple[float, ...]]:
        """The most even morning/evening partition (larger half in the morning)."""
        # Subset sums: each reachable morning total with one way to reach it.
        reachable: dict[float, tuple[int, ...]] = {0.0: ()}
        for index, strength in enumerate(self.strengths_mg):
            for total, picked in list(reachable.items()):
                reachable.setdefault(total + strength, (*picked, index))
        whole = self.dose_mg
        morning_total = min((t for t in reachable if t * 2 >= whole), key=lambda t: t * 2 - whole)
        chosen = set(reachable[morning_total])
        morning = tuple(s for i, s in enumerate(self.strengths_mg) if i in chosen)
        evening = tuple(s for i, s in enumerate(self.strengths_mg) if i not in chosen)
        return morning, evening

    def imbalance_mg(self) -> float:
        morning, evening = self.split()
        return math.fsum(morning) - math.fsum(evening)


def _capsule_counts(strengths_mg: Sequence[float]) -> list[CapsuleCount]:
    counts: dict[float, int] = {}
    for strength in strengths_mg:
        counts[strength] = counts.get(strength, 0) + 1
    return [CapsuleCount(strength_mg=s, count=n) for s, n in sorted(counts.items(), reverse=True)]


def _rank(combination: Combination, split: bool) -> tuple[float, ...]:
    """Order among combinations giving the same dose: easiest to take first."""
    if split:
        cannot_split = int(combination.capsule_count < 2)
        return (cannot_split, combination.capsule_count, combination.imbalance_mg())
    distinct = len(set(combination.strengths_mg))
    return (combination.capsule_count, distinct)


def achievable_doses(
    strengths_mg: Sequence[float], max_capsules_per_day: int, split: bool = False
) -> dict[float, Combination]:
    """Every daily dose reachable with at most ``max_capsules_per_day`` capsules.

    Maps the dose in mg to its preferred combination (fewest capsules; when ``split``, the
    most even two-intake division, and at least two capsules where possible).
    """
    return dict(_achievable_doses(tuple(strengths_mg), max_capsules_per_day, split))


@functools.cache
def _achievable_doses(
    strengths_mg: tuple[float, ...], max_capsules_per_day: int, split: bool
) -> dict[float, Combination]:
    # Memoised (a few products and capsule limits exist, so the cache stays small): the same
    # products are asked about on every order check (CDS order-sign),
    # and enumerating the combinations costs far more than the rest of the check.
    best: dict[float, Combination] = {}
    for count in range(1, max_capsules_per_day + 1):
        for picked in combinations_with_replacement(sorted(strengths_mg), count):
            combination = Combination(tuple(picked))
            # Capsule strengths are whole or half milligrams, so sums are exact floats.
            dose = combination.dose_mg
            if dose not in best or _rank(combination, split) < _rank(best[dose], split):
                best[dose] = combination
    return dict(sorted(best.items()))


def regimen_day(combination: Combination | None, split: bool) -> RegimenDay:
    """Describe one day's capsules (``None`` is a day without a capsule)."""
    if combination is None:
        return RegimenDay(capsules=[], dose_mg=0.0, capsule_count=0, intakes=None)
    intakes = None
    if split:
        morning, evening = combination.split()
        intakes = [
            DoseTime(time=name, capsules=_capsule_counts(part), dose_mg=math.fsum(part))
            for name, part in (("morning", morning), ("evening", evening))
            if part
        ]
    return RegimenDay(
        capsules=_capsule_counts(combination.strengths_mg),
        dose_mg=combination.dose_mg,
        capsule_count=combination.capsule_count,
        intakes=intakes,
    )


@dataclass(frozen=True)
class RegimenChoice:
    """The chosen pattern, plus what limited it."""

    days: tuple[RegimenDay, ...]
    target_mg: float
    # The two neighbouring achievable doses around the target (equal when exact).
    lower_mg: float
    upper_mg: float
    capped_by_capsule_limit: bool
    includes_days_without_capsule: bool

    @property
    def mean_mg(self) -> float:
        return math.fsum(d.dose_mg for d in self.days) / len(self.days)

    @property
    def exact(self) -> bool:
        return math.isclose(self.mean_mg, self.target_mg)


def _spread(high_days: int, length: int) -> list[bool]:
    """Which days of a ``length``-day cycle take the higher dose, spread as evenly as possible."""
    return [(i + 1) * high_days // length > i * high_days // length for i in range(length)]


def choose_regimen(
    target_mg: float,
    strengths_mg: Sequence[float],
    max_capsules_per_day: int,
    max_pattern_days: int,
    split: bool = False,
) -> RegimenChoice:
    """The regimen whose mean daily dose is closest to ``target_mg``.

    Ties go to the shorter pattern, then to fewer capsules over the pattern. A target above what
    the capsule limit allows gives the largest allowed dose every day; a target below the smallest
    capsule alternates that capsule with days without one.
    """
    doses = achievable_doses(strengths_mg, max_capsules_per_day, split)
    exact = next((d for d in doses if math.isclose(d, target_mg)), None)
    if exact is not None:
        day = regimen_day(doses[exact], split)
        return RegimenChoice((day,), target_mg, exact, exact, False, False)
    highest = max(doses)
    if target_mg > highest:
        day = regimen_day(doses[highest], split)
        return RegimenChoice((day,), target_mg, highest, highest, True, False)
    lower = max((d for d in doses if d < target_mg), default=0.0)
    upper = min(d for d in doses if d > target_mg)
    fraction = Fraction(target_mg - lower) / Fraction(upper - lower)
    best: tuple[Fraction, int, int] | None = None
    best_pattern: list[bool] = []
    for length in range(1, max_pattern_days + 1):
        for high_days in range(length + 1):
            error = abs(Fraction(high_days, length) - fraction)
            lower_count = doses[lower].capsule_count if lower in doses else 0
            capsules = high_days * doses[upper].capsule_count + (length - high_days) * lower_count
            key = (error, length, capsules)
            if best is None or key < best:
                best, best_pattern = key, _spread(high_days, length)
    days = tuple(
        regimen_day(doses[upper] if high else doses.get(lower), split) for high in best_pattern
    )
    return RegimenChoice(
        days=days,
        target_mg=target_mg,
        lower_mg=lower,
        upper_mg=upper,
        capped_by_capsule_limit=False,
        includes_days_without_capsule=any(d.capsule_count == 0 for d in days),
    )
