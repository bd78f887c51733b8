"""Fit the isotretinoin PK model to the label and study figures, reproducibly.

Run: ``.venv/bin/python scripts/fit_pk.py`` (needs scipy: ``pip install -e '.[bench]'``).
Prints the fitted parameters as TOML values and a residual table (docs/pharmacokinetics.md).

Model (src/isotrack/engines/pk/model.py): first-order absorption with a lag into a
two-compartment disposition; 4-oxo-isotretinoin formed from the parent. Shared by every product
and state: clearance, the fast rate alpha and the terminal share of exposure; the terminal
half-life (21 h), the metabolite half-life (24 h) and the metabolite/parent exposure ratio (3.4)
are cited facts held fixed. Per formulation and food state: relative bioavailability, ka and lag.
Absorica LD fasted shares ka with Absorica LD fed ("food had no effect on the rate", Madan 2020).
Objective: squared log residuals of every target Cmax, tmax and AUC, plus the steady-state
peak/trough ratio on 40 mg twice daily fasting (310 / 160 ng/mL, CH-FI), at a lower weight.
"""

from __future__ import annotations

import math
import sys

import numpy as np
from scipy.optimize import least_squares

from isotrack.engines.pk.kernel import superpose
from isotrack.engines.pk.metrics import single_dose
from isotrack.engines.pk.model import Disposition, oral_response
from isotrack.knowledge import load_knowledge
from isotrack.knowledge.pk import PkAbsorption

STATES = [
    "conventional-fed",
    "conventional-fasted",
    "lidose-fed",
    "lidose-fasted",
    "micronised-fed",
    "micronised-fasted",
]
SHARED_KA = {"micronised-fasted": "micronised-fed"}
REFERENCE = "lidose-fed"  # relative bioavailability 1 by definition
STEADY_PEAK_TO_TROUGH = 310 / 160  # CH-FI: mean peak 310, trough 120-200 (mid 160) ng/mL
STEADY_WEIGHT = 0.5
SEARCH = {"search_step_h": 0.01, "horizon_h": 96.0, "tolerance_h": 1e-9}


def _targets() -> dict[str, PkAbsorption]:
    records = load_knowledge().records("pk_absorption", PkAbsorption)
    return {state: records[state] for state in STATES}


def _unpack(x: np.ndarray) -> tuple[Disposition, dict[str, tuple[float, float, float]]]:
    knowledge = load_knowledge()
    values = np.exp(x)
    disposition = Disposition(
        clearance_l_per_h=values[0],
        alpha_per_h=values[1],
        beta_per_h=math.log(2) / knowledge.number("pk.half_life_us_label_h"),
        terminal_auc_share=1 / (1 + values[2]),
        metabolite_per_h=math.log(2) / knowledge.number("pk.half_life_4_oxo_us_label_h"),
        metabolite_auc_ratio=knowledge.number("pk.oxo_to_parent_auc_ratio_us_label"),
    )
    per_state: dict[str, tuple[float, float, float]] = {}
    i = 3
    for state in STATES:
        f = 1.0 if state == REFERENCE else values[i]
        i += state != REFERENCE
        if state in SHARED_KA:
            ka = per_state[SHARED_KA[state]][1]
        else:
            ka = values[i]
            i += 1
        lag = values[i]
        i += 1
        per_state[state] = (f, ka, lag)
    return disposition, per_state


def _steady_ratio(disposition: Disposition, f: float, ka: float, lag: float) -> float:
    response = oral_response(disposition, ka, f, lag)
    days = 14
    times = np.arange(0, days * 24, 12.0) + lag
    curve = superpose(
        response.parent.rates[None, :],
        response.parent.weights[None, :],
        times,
        np.full((1, times.size), 40.0),
        0.05,
        days * 24 * 20,
        24 * 20,
    )[0]
    last = curve[-12 * 20 :]
    return float(last.max() / last.min())


def residuals(x: np.ndarray, targets: dict[str, PkAbsorption]) -> np.ndarray:
    disposition, per_state = _unpack(x)
    out: list[float] = []
    for state, record in targets.items():
        f, ka, lag = per_state[state]
        response = oral_response(disposition, ka, f, lag)
        figures = single_dose(response.parent, lag, record.target.dose_mg, **SEARCH)
        t = record.target
        if t.cmax_ng_per_ml is not None:
            out.append(math.log(figures.cmax_ng_per_ml / t.cmax_ng_per_ml))
        if t.tmax_h is not None:
            out.append(math.log(figures.tmax_h / t.tmax_h))
        if t.auc_ng_h_per_ml is not None:
            out.append(math.log(figures.auc_ng_h_per_ml / t.auc_ng_h_per_ml))
    f, ka, lag = per_state["conventional-fasted"]
    ratio = _steady_ratio(disposition, f, ka, lag)
    out.append(STEADY_WEIGHT * math.log(ratio / STEADY_PEAK_TO_TROUGH))
    return np.array(out)


def main() -> int:
    targets = _targets()
    start = [math.log(6.6), math.log(0.3), math.log(1.0)]
    for state in STATES:
        if state != REFERENCE:
            start.append(math.log(1.0))
        if state not in SHARED_KA:
            start.append(math.log(1.0))
        start.append(math.log(1.5))
    fit = least_squares(residuals, np.array(start), args=(targets,), xtol=1e-12, ftol=1e-12)
    disposition, per_state = _unpack(fit.x)
    print(f"# cost {fit.cost:.3e}  status {fit.status}  nfev {fit.nfev}")
    print(f"clearance_l_per_h = {disposition.clearance_l_per_h:.6g}")
    print(f"alpha_per_h = {disposition.alpha_per_h:.6g}")
    print(f"terminal_auc_share = {disposition.terminal_auc_share:.6g}")
    print("\n| state | figure | target | model | residual |\n|---|---|---|---|---|")
    for state, record in targets.items():
        f, ka, lag = per_state[state]
        response = oral_response(disposition, ka, f, lag)
        fig = single_dose(response.parent, lag, record.target.dose_mg, **SEARCH)
        print(
            f"# {state}: relative_bioavailability = {f:.6g}, ka_per_h = {ka:.6g}, "
            f"lag_h = {lag:.6g}; fitted = {{ cmax_ng_per_ml = {fig.cmax_ng_per_ml:.5g}, "
            f"tmax_h = {fig.tmax_h:.4g}, auc_ng_h_per_ml = {fig.auc_ng_h_per_ml:.5g} }}",
            file=sys.stderr,
        )
        t = record.target
        for name, target, model in (
            ("Cmax ng/mL", t.cmax_ng_per_ml, fig.cmax_ng_per_ml),
            ("tmax h", t.tmax_h, fig.tmax_h),
            ("AUC ng·h/mL", t.auc_ng_h_per_ml, fig.auc_ng_h_per_ml),
        ):
            if target is not None:
                print(
                    f"| {state} {t.dose_mg:g} mg | {name} | {target:g} | {model:.4g} | "
                    f"{(model / target - 1) * 100:+.1f}% |"
                )
    f, ka, lag = per_state["conventional-fasted"]
    ratio = _steady_ratio(disposition, f, ka, lag)
    print(
        f"| conventional-fasted 40 mg BID steady state | peak/trough | "
        f"{STEADY_PEAK_TO_TROUGH:.3g} | {ratio:.3g} | "
        f"{(ratio / STEADY_PEAK_TO_TROUGH - 1) * 100:+.1f}% |"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
