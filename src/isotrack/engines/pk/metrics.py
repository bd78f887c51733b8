"""Single-dose figures of a fitted response: peak, time of peak, exposure, half-life."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from isotrack.engines.pk.model import Exponentials


@dataclass(frozen=True)
class SingleDoseFigures:
    cmax_ng_per_ml: float
    tmax_h: float  # from swallowing, lag included
    auc_ng_h_per_ml: float  # zero to infinity
    t_half_h: float  # terminal


def _slope(curve: Exponentials, tau: float) -> float:
    return float(-np.sum(curve.weights * curve.rates * np.exp(-curve.rates * tau)))


def peak(curve: Exponentials, search_step_h: float, horizon_h: float, tolerance_h: float) -> float:
    """Time after absorption starts at which the curve peaks (first sign change of the slope)."""
    grid = np.arange(search_step_h, horizon_h, search_step_h)
    slopes = -(curve.weights[:, None] * curve.rates[:, None]) * np.exp(
        -curve.rates[:, None] * grid[None, :]
    )
    falling = np.nonzero(slopes.sum(axis=0) <= 0)[0]
    if falling.size == 0:
        raise ValueError(f"no peak within {horizon_h} h of the dose")
    high = float(grid[falling[0]])
    low = high - search_step_h
    while high - low > tolerance_h:
        middle = (low + high) / 2
        if _slope(curve, middle) > 0:
            low = middle
        else:
            high = middle
    return (low + high) / 2


def single_dose(
    curve: Exponentials,
    lag_h: float,
    dose_mg: float,
    search_step_h: float,
    horizon_h: float,
    tolerance_h: float,
) -> SingleDoseFigures:
    tau = peak(curve, search_step_h, horizon_h, tolerance_h)
    cmax = dose_mg * float(curve.at(np.array([tau]))[0])
    return SingleDoseFigures(
        cmax_ng_per_ml=cmax,
        tmax_h=lag_h + tau,
        auc_ng_h_per_ml=dose_mg * curve.auc_per_mg(),
        t_half_h=curve.terminal_half_life_h(),
    )
