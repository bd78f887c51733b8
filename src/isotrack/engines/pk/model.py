"""The fitted concentration model as sums of exponentials (closed forms, no ODE solver).

After one oral dose taken at time 0, with lag ``lag_h`` and absorption rate ``ka``, the plasma
concentration of each analyte at ``tau = t - lag_h >= 0`` is ``dose_mg * sum_k w_k exp(-r_k tau)``
(ng/mL). The parent has a two-compartment disposition (rates ``alpha`` and ``beta``) fed by
first-order absorption; 4-oxo-isotretinoin is formed from the parent in proportion to its
concentration and eliminated at ``km``. Every weight vector sums to zero: the level is 0 at the
moment absorption begins, which is what lets doses be added on any time grid.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from isotrack.knowledge import Knowledge
from isotrack.knowledge.model import Formulation
from isotrack.knowledge.pk import Food, PkAbsorption, PkDisposition
from isotrack.knowledge.units import unit_registry

Array = NDArray[np.float64]
# 1 mg/L in ng/mL, from the unit registry rather than written out.
NG_PER_ML_PER_MG_PER_L = float(unit_registry().Quantity(1, "mg/L").to("ng/mL").magnitude)
LN2 = math.log(2)


@dataclass(frozen=True)
class Disposition:
    """Plain numbers of the disposition (what the fit varies and the engine reads)."""

    clearance_l_per_h: float
    alpha_per_h: float
    beta_per_h: float
    terminal_auc_share: float
    metabolite_per_h: float
    metabolite_auc_ratio: float


@dataclass(frozen=True)
class Exponentials:
    """Concentration per mg of dose: ``sum_k weights[k] * exp(-rates[k] * tau)`` (ng/mL)."""

    rates: Array
    weights: Array

    def at(self, tau_h: Array) -> Array:
        tau = np.asarray(tau_h, dtype=float)
        terms = self.weights[:, None] * np.exp(-self.rates[:, None] * np.maximum(tau, 0.0))
        return np.where(tau > 0.0, terms.sum(axis=0), 0.0)

    def auc_per_mg(self) -> float:
        return float(np.sum(self.weights / self.rates))

    def terminal_half_life_h(self) -> float:
        return LN2 / float(np.min(self.rates))


@dataclass(frozen=True)
class DoseResponse:
    """Both analytes after one mg of one product state, and the lag before absorption."""

    state_id: str
    lag_h: float
    parent: Exponentials
    metabolite: Exponentials


def bolus_coefficients(d: Disposition) -> tuple[float, float]:
    """(A, B) of the parent after 1 mg reaching the circulation: A e^-alpha t + B e^-beta t."""
    auc_per_mg = NG_PER_ML_PER_MG_PER_L / d.clearance_l_per_h
    b = d.terminal_auc_share * auc_per_mg * d.beta_per_h
    a = (1 - d.terminal_auc_share) * auc_per_mg * d.alpha_per_h
    return a, b


def oral_response(
    d: Disposition, ka_per_h: float, bioavailability: float, lag_h: float, state_id: str = ""
) -> DoseResponse:
    """Closed-form response of both analytes to 1 mg taken by mouth."""
    a, b = bolus_coefficients(d)
    disposition_rates = np.array([d.alpha_per_h, d.beta_per_h])
    disposition_weights = bioavailability * np.array([a, b]) * ka_per_h
    parent_weights = disposition_weights / (ka_per_h - disposition_rates)
    parent = Exponentials(
        rates=np.append(disposition_rates, ka_per_h),
        weights=np.append(parent_weights, -parent_weights.sum()),
    )
    formation_per_h = d.metabolite_auc_ratio * d.metabolite_per_h
    km = d.metabolite_per_h
    from_parent = formation_per_h * parent.weights / (km - parent.rates)
    metabolite = Exponentials(
        rates=np.append(parent.rates, km),
        weights=np.append(from_parent, -from_parent.sum()),
    )
    return DoseResponse(state_id=state_id, lag_h=lag_h, parent=parent, metabolite=metabolite)


def disposition_from(knowledge: Knowledge, record: PkDisposition) -> Disposition:
    return Disposition(
        clearance_l_per_h=record.clearance_l_per_h,
        alpha_per_h=record.alpha_per_h,
        beta_per_h=LN2 / knowledge.number(record.terminal_half_life_fact),
        terminal_auc_share=record.terminal_auc_share,
        metabolite_per_h=LN2 / knowledge.number(record.metabolite_half_life_fact),
        metabolite_auc_ratio=knowledge.number(record.metabolite_auc_ratio_fact),
    )


def disposition_record(knowledge: Knowledge) -> PkDisposition:
    records = knowledge.records("pk_disposition", PkDisposition)
    if len(records) != 1:
        raise ValueError(f"the knowledge base needs exactly one pk_disposition, has {len(records)}")
    return next(iter(records.values()))


def absorption_record(knowledge: Knowledge, formulation: Formulation, food: Food) -> PkAbsorption:
    records = knowledge.records("pk_absorption", PkAbsorption)
    key = f"{formulation.value}-{food}"
    try:
        return records[key]
    except KeyError:
        known = ", ".join(sorted(records))
        raise KeyError(f"no absorption parameters for {key!r}; known: {known}") from None


def response_for(knowledge: Knowledge, product_id: str, food: Food) -> DoseResponse:
    """The fitted response of one product taken fed or fasted."""
    product = knowledge.product(product_id)
    absorption = absorption_record(knowledge, product.formulation, food)
    disposition = disposition_from(knowledge, disposition_record(knowledge))
    return oral_response(
        disposition,
        absorption.ka_per_h,
        absorption.relative_bioavailability,
        absorption.lag_h,
        absorption.id,
    )
