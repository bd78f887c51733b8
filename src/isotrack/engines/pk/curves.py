"""Concentration curves of both analytes for a list of doses (superposition per product state)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from isotrack.engines.pk.kernel import Array, superpose
from isotrack.engines.pk.model import DoseResponse, Exponentials, response_for
from isotrack.engines.pk.regimen import HOURS_PER_DAY, Dose
from isotrack.knowledge import Knowledge
from isotrack.knowledge.pk import Food


@dataclass(frozen=True)
class Curves:
    time_h: Array
    isotretinoin_ng_per_ml: Array
    oxo_isotretinoin_ng_per_ml: Array


def responses(knowledge: Knowledge, doses: Sequence[Dose]) -> dict[tuple[str, Food], DoseResponse]:
    keys = sorted({(d.product_id, d.food) for d in doses})
    return {(product, food): response_for(knowledge, product, food) for product, food in keys}


def curves(
    knowledge: Knowledge, doses: Sequence[Dose], hours: float, step_fact: str = ""
) -> Curves:
    """Both analytes at every grid step from hour 0 up to ``hours`` (step: a numerics fact)."""
    step_h = knowledge.number(step_fact or "pk.numerics.curve_step_h")
    n_points = math.floor(hours / step_h) + 1
    block = max(1, round(HOURS_PER_DAY / step_h))
    parent = np.zeros(n_points)
    metabolite = np.zeros(n_points)
    for key, response in responses(knowledge, doses).items():
        group = [d for d in doses if (d.product_id, d.food) == key]
        times = np.array([d.time_h + response.lag_h for d in group])
        amounts = np.array([[d.dose_mg for d in group]])
        for target, exps in ((parent, response.parent), (metabolite, response.metabolite)):
            target += superpose(
                exps.rates[None, :], exps.weights[None, :], times, amounts, step_h, n_points, block
            )[0]
    return Curves(np.arange(n_points, dtype=np.float64) * step_h, parent, metabolite)


def tail_curves(
    knowledge: Knowledge,
    groups: Mapping[tuple[str, Food], tuple[Array, Array]],
    hours: float,
    from_h: float,
) -> Curves:
    """Both analytes at the grid points of :func:`curves` from ``from_h`` up to ``hours`` only.

    ``groups``: per (product, food), the intake times and mg in time order
    (:class:`CourseIntakes`). What the washout reads: the levels after the last dose. Once every
    dose of a product state is being absorbed, the sum of its doses is itself a sum of
    exponentials, one amount per rate carried to the latest absorption start; the few grid points
    before that (inside the lag of the last dose) add each absorbed dose directly. No grid point
    before ``from_h`` is computed, so the cost does not grow with the length of the course.
    """
    step_h = knowledge.number("pk.numerics.curve_step_h")
    n_points = math.floor(hours / step_h) + 1
    grid = np.arange(n_points, dtype=np.float64) * step_h
    time_h = grid[int(np.searchsorted(grid, from_h, side="left")) :]
    parent = np.zeros(time_h.size)
    metabolite = np.zeros(time_h.size)
    for product, food in sorted(groups):
        response = response_for(knowledge, product, food)
        intake_h, amounts = groups[(product, food)]
        starts = intake_h + response.lag_h
        for target, exps in ((parent, response.parent), (metabolite, response.metabolite)):
            target += _sum_of_doses(exps, starts, amounts, time_h)
    return Curves(time_h, parent, metabolite)


def _sum_of_doses(exps: Exponentials, starts: Array, amounts: Array, time_h: Array) -> Array:
    latest = float(starts.max())
    carried = (amounts[None, :] * np.exp(-exps.rates[:, None] * (latest - starts)[None, :])).sum(
        axis=1
    )  # one amount per rate at ``latest``
    since = np.maximum(time_h - latest, 0.0)
    level: Array = (
        exps.weights[:, None] * carried[:, None] * np.exp(-exps.rates[:, None] * since)
    ).sum(axis=0)
    early = time_h < latest
    if early.any():
        lag = time_h[early][:, None] - starts[None, :]  # (points, doses)
        decay = np.exp(-exps.rates[None, None, :] * np.maximum(lag, 0.0)[:, :, None])
        each = (decay * exps.weights[None, None, :]).sum(axis=2) * amounts[None, :]
        level[early] = np.where(lag >= 0, each, 0.0).sum(axis=1)
    return level
