"""Many doses add up exactly: the stepping kernel against single doses summed and an ODE solver."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from isotrack.engines.pk.kernel import superpose
from isotrack.engines.pk.model import (
    bolus_coefficients,
    disposition_from,
    disposition_record,
    response_for,
)
from isotrack.knowledge import Knowledge
from isotrack.knowledge.pk import PkAbsorption


def test_a_fortnight_of_twice_daily_doses_is_the_sum_of_each_dose(knowledge: Knowledge) -> None:
    # 20 mg Claravis at 08:00 and 20:00 for 14 days, one dose missed on day 5.
    response = response_for(knowledge, "claravis", "fed")
    dose_h = np.array([d * 24 + h for d in range(14) for h in (8.0, 20.0)])
    amounts = np.full(dose_h.size, 20.0)
    amounts[9] = 0.0
    grid = np.arange(0, 20 * 24, 1.0)
    for curve in (response.parent, response.metabolite):
        stepped = superpose(
            curve.rates[None, :], curve.weights[None, :], dose_h + response.lag_h,
            amounts[None, :], 1.0, grid.size, 24,
        )[0]  # fmt: skip
        summed = sum(
            a * curve.at(grid - t - response.lag_h) for a, t in zip(amounts, dose_h, strict=False)
        )
        assert np.allclose(stepped, summed, rtol=1e-9, atol=1e-9)


def test_superposition_equals_the_solver_on_the_same_model(knowledge: Knowledge) -> None:
    # Absorica 40 mg twice daily with food for 10 days, integrated as differential equations.
    response = response_for(knowledge, "absorica", "fed")
    disposition = disposition_from(knowledge, disposition_record(knowledge))
    a, b = bolus_coefficients(disposition)
    alpha, beta = disposition.alpha_per_h, disposition.beta_per_h
    v1 = 1 / (a + b)
    k21 = (a * beta + b * alpha) / (a + b)
    k10 = alpha * beta / k21
    k12 = alpha + beta - k21 - k10
    km = disposition.metabolite_per_h
    kf = disposition.metabolite_auc_ratio * km
    ka = float(response.parent.rates[-1])
    f = knowledge.records("pk_absorption", PkAbsorption)["lidose-fed"].relative_bioavailability

    def rhs(_t: float, y: np.ndarray) -> list[float]:
        gut, central, peripheral, oxo = y
        return [
            -ka * gut,
            ka * gut - (k10 + k12) * central + k21 * peripheral,
            k12 * central - k21 * peripheral,
            kf * central / v1 - km * oxo,
        ]

    dose_h = np.array([d * 24 + h for d in range(10) for h in (8.0, 20.0)]) + response.lag_h
    grid = np.arange(0, 12 * 24, 1.0)
    expected_parent = np.zeros(grid.size)
    expected_oxo = np.zeros(grid.size)
    y = np.zeros(4)
    edges = [*dose_h.tolist(), float(grid[-1])]
    for start, stop in itertools.pairwise(edges):
        y = y + np.array([f * 40.0, 0, 0, 0])
        ask = np.unique(np.append(grid[(grid > start) & (grid <= stop)], stop))
        sol = solve_ivp(rhs, (start, stop), y, method="LSODA", t_eval=ask, rtol=1e-11, atol=1e-12)
        index = ask[np.isin(ask, grid)].astype(int)
        expected_parent[index] = sol.y[1][np.isin(ask, grid)] / v1
        expected_oxo[index] = sol.y[3][np.isin(ask, grid)]
        y = sol.y[:, -1]
    amounts = np.full((1, dose_h.size), 40.0)
    for curve, expected in (
        (response.parent, expected_parent),
        (response.metabolite, expected_oxo),
    ):
        got = superpose(curve.rates[None, :], curve.weights[None, :], dose_h, amounts, 1.0,
                        grid.size, 24)[0]  # fmt: skip
        shown = expected > 1e-3 * expected.max()
        relative = np.abs(got[shown] - expected[shown]) / expected[shown]
        assert relative.max() <= 1e-6


def test_a_dose_before_the_grid_starts_is_refused() -> None:
    with pytest.raises(ValueError, match="effective_times_h"):
        superpose(np.ones((1, 2)), np.array([[1.0, -1.0]]), np.array([-1.0]), np.ones((1, 1)),
                  1.0, 10, 24)  # fmt: skip
