"""The value axis of the server-drawn charts: round tick values and how many decimals they need."""

from __future__ import annotations

import math


def _step(raw_step: float) -> float:
    magnitude = 10.0 ** math.floor(math.log10(raw_step))
    return float(next(m * magnitude for m in (1, 2, 2.5, 3, 5, 10) if m * magnitude >= raw_step))


def nice_ticks(high: float, count: int = 5) -> list[float]:
    """Round tick values from 0 to at least ``high``.

    >>> nice_ticks(137)
    [0.0, 30.0, 60.0, 90.0, 120.0, 150.0]
    """
    if high <= 0:
        return [0.0, 1.0]
    step = _step(high / count)
    ticks = [0.0]
    while ticks[-1] < high:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def nice_scale(low: float, high: float, count: int = 4) -> list[float]:
    """Round ticks that cover ``low``..``high``: from 0 when the values come near it, else from
    a round number just below the lowest, so a narrow spread is not squeezed into a band.

    >>> nice_scale(120, 520)
    [0.0, 200.0, 400.0, 600.0]
    >>> nice_scale(4.4, 6.1)
    [4.0, 4.5, 5.0, 5.5, 6.0, 6.5]
    """
    low, high = min(low, high), max(low, high)
    if high <= 0:
        return [0.0, 1.0]
    floor = 0.0 if low <= 0.5 * high else low
    if high - floor <= 0:
        floor, high = floor * 0.9, high * 1.1
    step = _step((high - floor) / count)
    start = float(math.floor(floor / step) * step)
    ticks = [round(start, 10)]
    while ticks[-1] < high:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def tick_text(value: float, step: float) -> str:
    """A tick's number with as many decimals as the step needs (0.25 → two, 0.5 → one)."""
    decimals = next((d for d in range(4) if abs(round(step * 10**d) - step * 10**d) < 1e-6), 3)
    return f"{value:.{decimals}f}"


__all__ = ["nice_scale", "nice_ticks", "tick_text"]
