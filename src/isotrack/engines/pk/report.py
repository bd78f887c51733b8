"""The ``pk`` output: single-dose figures, the curve, steady state and washout.

Explanation only (docs/decisions.md, decisions 9 and 16): the model is a population mean fitted
to label and study figures, not a prediction of one patient's levels.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

import numpy as np
from pydantic import BaseModel, ConfigDict

from isotrack.domain.timeline import Timeline
from isotrack.engines.pk.curves import Curves, curves
from isotrack.engines.pk.metrics import single_dose
from isotrack.engines.pk.model import (
    DoseResponse,
    absorption_record,
    disposition_record,
    response_for,
)
from isotrack.engines.pk.regimen import HOURS_PER_DAY, Dose, course_doses, planned_doses
from isotrack.engines.pk.washout import Washout, washout
from isotrack.knowledge import Knowledge
from isotrack.knowledge.pk import Food

# How a meal state reads in a sentence a person sees.
MEAL_WORDS = {"fed": "with a meal", "fasted": "without food"}


class DoseFigures(BaseModel):
    """One analyte after one dose: peak, time of peak (from swallowing), exposure to infinity."""

    model_config = ConfigDict(frozen=True)
    cmax_ng_per_ml: float
    tmax_h: float
    auc_ng_h_per_ml: float
    t_half_h: float


class Curve(BaseModel):
    model_config = ConfigDict(frozen=True)
    time_h: list[float]
    isotretinoin_ng_per_ml: list[float]
    oxo_isotretinoin_ng_per_ml: list[float]


class PkReport(BaseModel):
    model_config = ConfigDict(frozen=True)
    product: str
    food: Food
    model_state: str  # the fitted absorption record used (formulation-food)
    dose_mg: float
    single_dose: DoseFigures
    metabolite_single_dose: DoseFigures
    curve: Curve
    dose_times_h: list[float]
    first_dose_date: dt.date | None
    steady_state_day: int | None
    washout_days: float | None
    washout: Washout | None
    notes: list[str]
    source_ids: list[str]


def figures_of(
    knowledge: Knowledge, response: DoseResponse, dose_mg: float
) -> tuple[DoseFigures, DoseFigures]:
    """Single-dose figures of isotretinoin and of 4-oxo-isotretinoin."""
    search = {
        "search_step_h": knowledge.number("pk.numerics.peak_search_step_h"),
        "horizon_h": knowledge.number("pk.numerics.peak_search_horizon_h"),
        "tolerance_h": knowledge.number("pk.numerics.peak_tolerance_h"),
    }
    analytes = (response.parent, response.metabolite)
    parent, oxo = (
        DoseFigures(**vars(single_dose(curve, response.lag_h, dose_mg, **search)))
        for curve in analytes
    )
    return parent, oxo


def steady_state_day(knowledge: Knowledge, curve: Curves, days: int) -> int | None:
    """First dosing day (1-based) whose lowest level of both analytes reaches the steady share
    of the last dosing day's lowest level; ``None`` when fewer than two days are dosed."""
    if days < len((None, None)):
        return None
    share = knowledge.number("pk.steady_state_fraction")
    found = []
    for level in (curve.isotretinoin_ng_per_ml, curve.oxo_isotretinoin_ng_per_ml):
        daily = level[: days * HOURS_PER_DAY].reshape(days, -1).min(axis=1)
        reached = np.nonzero(daily >= share * daily[-1])[0]
        found.append(int(reached[0]) + 1)
    return max(found)


def _report(
    knowledge: Knowledge,
    doses: Sequence[Dose],
    days: int | None,
    policy_id: str,
    first_dose_date: dt.date | None,
    notes: list[str],
) -> PkReport:
    latest = doses[-1]
    response = response_for(knowledge, latest.product_id, latest.food)
    absorption = absorption_record(
        knowledge, knowledge.product(latest.product_id).formulation, latest.food
    )
    last_dose_h = max(d.time_h for d in doses)
    horizon_h = last_dose_h + knowledge.number("pk.numerics.washout_horizon_days") * HOURS_PER_DAY
    if days is None:
        horizon_h = last_dose_h + knowledge.number("pk.numerics.peak_search_horizon_h")
    step_fact = "pk.numerics.single_dose_curve_step_h" if days is None else ""
    curve = curves(knowledge, doses, horizon_h, step_fact)
    out = washout(knowledge, policy_id, curve, last_dose_h) if days is not None else None
    washout_days = None
    if out is not None and None not in (out.isotretinoin_days, out.oxo_isotretinoin_days):
        washout_days = max(out.isotretinoin_days or 0.0, out.oxo_isotretinoin_days or 0.0)
    disposition = disposition_record(knowledge)
    parent, oxo = figures_of(knowledge, response, latest.dose_mg)
    return PkReport(
        product=latest.product_id,
        food=latest.food,
        model_state=absorption.id,
        dose_mg=latest.dose_mg,
        single_dose=parent,
        metabolite_single_dose=oxo,
        curve=Curve(
            time_h=[float(t) for t in curve.time_h],
            isotretinoin_ng_per_ml=[round(float(c), 3) for c in curve.isotretinoin_ng_per_ml],
            oxo_isotretinoin_ng_per_ml=[
                round(float(c), 3) for c in curve.oxo_isotretinoin_ng_per_ml
            ],
        ),
        dose_times_h=[d.time_h for d in doses],
        first_dose_date=first_dose_date,
        steady_state_day=steady_state_day(knowledge, curve, days) if days else None,
        washout_days=washout_days,
        washout=out,
        notes=notes,
        source_ids=sorted({*absorption.source_ids, *disposition.source_ids}),
    )


def product_report(
    knowledge: Knowledge,
    product_id: str,
    dose_mg: float,
    food: Food,
    days: int | None = None,
    doses_per_day: int = 1,
    policy_id: str = "us-ipledge-2026",
) -> PkReport:
    """One dose (``days`` None) or ``doses_per_day`` doses a day for ``days`` days."""
    doses = planned_doses(knowledge, product_id, dose_mg, food, days or 1, doses_per_day)
    notes = [
        "Population-mean model fitted to label figures; one person's levels can differ "
        "several-fold. For explanation, not for dosing."
    ]
    return _report(knowledge, doses, days, policy_id, None, notes)


def course_report(
    knowledge: Knowledge,
    timeline: Timeline,
    as_of: dt.date,
    food: Food = "fed",
    doses_per_day: int = 2,
) -> PkReport | None:
    """The curve of the doses a course's timeline counts up to ``as_of``; None before any."""
    first_day, doses = course_doses(knowledge, timeline, as_of, food, doses_per_day)
    if not doses:
        return None
    days = math.ceil((max(d.time_h for d in doses) + 1) / HOURS_PER_DAY)
    intakes = "at once" if doses_per_day == 1 else f"as {doses_per_day} equal intakes"
    notes = [
        f"Each day's dose is taken {intakes}, {MEAL_WORDS[food]}, at the assumed clock hours; "
        "the timeline records days, not hours.",
        "Population-mean model fitted to label figures; one person's levels can differ "
        "several-fold. For explanation, not for dosing.",
    ]
    return _report(knowledge, doses, days, timeline.policy, first_day, notes)
