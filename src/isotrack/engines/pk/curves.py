"""Concentration curves of both analytes for a list of doses (superposition per product state)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from isotrack.engines.pk.kernel import Array, superpose
from isotrack.engines.pk.model import DoseResponse, response_for
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
