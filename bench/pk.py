"""PK population benchmark: closed-form superposition against scipy's ODE solver, same run.

Model: the fitted isotretinoin model (two compartments, lag, first-order absorption, 4-oxo
metabolite), Absorica 40 mg twice daily with food, 180 days at hourly points. Each subject has
log-normal variation of clearance, ka and bioavailability. The closed form runs on the whole
population; ``solve_ivp`` (LSODA, rtol 1e-10) runs on a sample of subjects from the same
population, which is reported as such, and every sampled point is compared.

Run: ``.venv/bin/python bench/pk.py [--subjects 10000] [--days 180] [--solver-subjects 8]``
(needs scipy: ``pip install -e '.[bench]'``).
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import time

import numpy as np
from scipy.integrate import solve_ivp

from isotrack.engines.pk.kernel import superpose
from isotrack.engines.pk.model import (
    Disposition,
    absorption_record,
    bolus_coefficients,
    disposition_from,
    disposition_record,
    oral_response,
)
from isotrack.knowledge import load_knowledge
from isotrack.knowledge.model import Formulation

DOSE_MG = 40.0
CLOCK_H = (8.0, 20.0)
CV = {"clearance": 0.3, "ka": 0.4, "bioavailability": 0.2}


def population(
    n: int, seed: int = 15
) -> tuple[Disposition, float, np.ndarray, np.ndarray, np.ndarray]:
    knowledge = load_knowledge()
    base = disposition_from(knowledge, disposition_record(knowledge))
    absorption = absorption_record(knowledge, Formulation.LIDOSE, "fed")
    rng = np.random.default_rng(seed)

    def lognormal(cv: float) -> np.ndarray:
        sigma = math.sqrt(math.log(1 + cv * cv))
        return np.exp(rng.normal(-sigma * sigma / 2, sigma, n))

    clearance = base.clearance_l_per_h * lognormal(CV["clearance"])
    ka = absorption.ka_per_h * lognormal(CV["ka"])
    f = absorption.relative_bioavailability * lognormal(CV["bioavailability"])
    return base, absorption.lag_h, clearance, ka, f


def exponentials(
    base: Disposition, lag: float, clearance: np.ndarray, ka: np.ndarray, f: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    rows = [
        oral_response(_with(base, c), k, b, lag) for c, k, b in zip(clearance, ka, f, strict=True)
    ]
    return (
        np.array([r.parent.rates for r in rows]),
        np.array([r.parent.weights for r in rows]),
        np.array([r.metabolite.rates for r in rows]),
        np.array([r.metabolite.weights for r in rows]),
    )


def _with(base: Disposition, clearance: float) -> Disposition:
    return Disposition(
        clearance,
        base.alpha_per_h,
        base.beta_per_h,
        base.terminal_auc_share,
        base.metabolite_per_h,
        base.metabolite_auc_ratio,
    )


def dose_times(days: int, lag: float) -> np.ndarray:
    return np.array([d * 24 + h + lag for d in range(days) for h in CLOCK_H])


def closed_form(rates_p, weights_p, rates_m, weights_m, times, n_points):  # type: ignore[no-untyped-def]
    amounts = np.full((rates_p.shape[0], times.size), DOSE_MG)
    parent = superpose(rates_p, weights_p, times, amounts, 1.0, n_points, 24)
    oxo = superpose(rates_m, weights_m, times, amounts, 1.0, n_points, 24)
    return parent, oxo


def ode(
    base: Disposition, clearance: float, ka: float, f: float, times: np.ndarray, n_points: int
) -> tuple[np.ndarray, np.ndarray]:
    """The same model as differential equations, integrated dose interval by dose interval."""
    a, b = bolus_coefficients(_with(base, clearance))
    alpha, beta = base.alpha_per_h, base.beta_per_h
    v1 = 1 / (a + b)
    k21 = (a * beta + b * alpha) / (a + b)
    k10 = alpha * beta / k21
    k12 = alpha + beta - k21 - k10
    km = base.metabolite_per_h
    kf = base.metabolite_auc_ratio * km

    def rhs(_t: float, y: np.ndarray) -> list[float]:
        gut, central, peripheral, oxo = y
        return [
            -ka * gut,
            ka * gut - (k10 + k12) * central + k21 * peripheral,
            k12 * central - k21 * peripheral,
            kf * central / v1 - km * oxo,
        ]

    grid = np.arange(n_points, dtype=float)
    parent = np.zeros(n_points)
    oxo = np.zeros(n_points)
    y = np.zeros(4)
    edges = [*times.tolist(), float(grid[-1]) + 1.0]
    for start, stop in itertools.pairwise(edges):
        y = y + np.array([f * DOSE_MG, 0.0, 0.0, 0.0])
        inside = grid[(grid > start) & (grid <= stop)]
        ask = np.unique(np.append(inside, stop))
        sol = solve_ivp(rhs, (start, stop), y, method="LSODA", t_eval=ask, rtol=1e-10, atol=1e-12)
        found = np.isin(ask, inside)
        idx = ask[found].astype(int)
        parent[idx] = sol.y[1][found] / v1
        oxo[idx] = sol.y[3][found]
        y = sol.y[:, -1]
    return parent, oxo


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=180)
    parser.add_argument("--solver-subjects", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    base, lag, clearance, ka, f = population(args.subjects)
    times = dose_times(args.days, lag)
    n_points = args.days * 24
    rp, wp, rm, wm = exponentials(base, lag, clearance, ka, f)
    runs = []
    for _ in range(args.repeats):
        began = time.perf_counter()
        parent, oxo = closed_form(rp, wp, rm, wm, times, n_points)
        runs.append(time.perf_counter() - began)
    closed_s = float(np.median(runs))
    sample = np.linspace(0, args.subjects - 1, args.solver_subjects).astype(int)
    began = time.perf_counter()
    solved = [ode(base, clearance[i], ka[i], f[i], times, n_points) for i in sample]
    solver_s = time.perf_counter() - began
    worst = 0.0
    for i, (p_ode, o_ode) in zip(sample, solved, strict=True):
        for mine, theirs in ((parent[i], p_ode), (oxo[i], o_ode)):
            mask = theirs > 1e-3 * theirs.max()
            worst = max(worst, float(np.max(np.abs(mine[mask] - theirs[mask]) / theirs[mask])))
    closed_rate = args.subjects * args.days / closed_s
    solver_rate = args.solver_subjects * args.days / solver_s
    result = {
        "subjects": args.subjects,
        "days": args.days,
        "hourly_points_per_subject": n_points,
        "closed_form_s_median": round(closed_s, 3),
        "closed_form_runs_s": [round(r, 3) for r in runs],
        "closed_form_subject_days_per_s": round(closed_rate),
        "solver_subjects": args.solver_subjects,
        "solver_s": round(solver_s, 2),
        "solver_subject_days_per_s": round(solver_rate, 1),
        "ratio": round(closed_rate / solver_rate),
        "max_relative_difference": worst,
        "compared_points": "both analytes, every hourly point above 1/1000 of the subject's peak",
    }
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
