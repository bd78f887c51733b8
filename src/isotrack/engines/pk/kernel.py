"""Superposition of many doses on a uniform time grid, for one subject or a population.

Exact discrete stepping of the closed form: the contribution of past doses is carried from one
block of grid points to the next as one number per exponential (``state``), so the cost grows
with the number of grid points, not with points times doses. No ODE is solved.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]


def superpose(
    rates: Array,
    weights: Array,
    effective_times_h: Array,
    dose_mg: Array,
    step_h: float,
    n_points: int,
    block_points: int,
) -> Array:
    """Concentrations (subjects x grid points) at ``t = i * step_h``, i < ``n_points``.

    ``rates`` and ``weights`` are (subjects, exponentials): the per-mg response of each subject.
    ``effective_times_h`` (doses,) are when each dose starts to be absorbed (dose time plus lag),
    shared by all subjects and not negative; ``dose_mg`` is (subjects, doses), 0 for a dose not
    taken. ``block_points`` grid points are filled per step (a day of hourly points is 24).
    """
    rates = np.atleast_2d(np.asarray(rates, dtype=float))
    weights = np.atleast_2d(np.asarray(weights, dtype=float))
    times = np.asarray(effective_times_h, dtype=float)
    amounts = np.atleast_2d(np.asarray(dose_mg, dtype=float))
    if times.size and float(times.min()) < 0:
        raise ValueError("effective_times_h: doses before the start of the grid are not allowed")
    order = np.argsort(times, kind="stable")
    times, amounts = times[order], amounts[:, order]
    subjects = rates.shape[0]
    offsets = np.arange(block_points, dtype=float) * step_h
    block_h = block_points * step_h
    within = np.exp(-rates[:, :, None] * offsets[None, None, :])  # (N, K, B)
    across = np.exp(-rates * block_h)  # (N, K)
    state = np.zeros_like(rates)
    out = np.empty((subjects, n_points))
    arriving: dict[float, tuple[Array, Array]] = {}
    first = 0
    for start in range(0, n_points, block_points):
        stop = min(start + block_points, n_points)
        width = stop - start
        t0 = start * step_h
        block = np.einsum("nk,nkb->nb", state, within[:, :, :width])
        last = int(np.searchsorted(times, t0 + block_h, side="left"))
        carried = state * across
        for m in range(first, last):
            delta = float(times[m] - t0)
            unit, carry = arriving.get(delta) or _arrival(rates, weights, offsets, delta, block_h)
            arriving.setdefault(delta, (unit, carry))
            dose = amounts[:, m : m + 1]
            block += dose * unit[:, :width]
            carried += dose * carry
        out[:, start:stop] = block
        state = carried
        first = last
    return out


def _arrival(
    rates: Array, weights: Array, offsets: Array, delta_h: float, block_h: float
) -> tuple[Array, Array]:
    """A dose absorbed from ``delta_h`` into a block: its per-mg curve there and its carry-over."""
    since = offsets - delta_h
    decay = np.exp(-rates[:, :, None] * np.maximum(since, 0.0)[None, None, :])
    unit = np.where(since >= 0, np.einsum("nk,nkb->nb", weights, decay), 0.0)
    carry = weights * np.exp(-rates * (block_h - delta_h))
    return unit, carry
