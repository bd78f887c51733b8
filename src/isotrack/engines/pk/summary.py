"""The small ``pk`` section of an assessment: washout after the latest counted dose.

It says what :func:`course_report` says about the washout, without drawing the whole course:
the levels are computed only at the grid points after the last dose (``tail_curves``), which is
all the washout reads. ``tests/pk/test_pk_summary.py`` holds the two to the same answer.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict

from isotrack.domain.timeline import Timeline
from isotrack.engines.dose import DoseProgress
from isotrack.engines.pk.curves import tail_curves
from isotrack.engines.pk.model import absorption_record
from isotrack.engines.pk.regimen import HOURS_PER_DAY, course_intakes
from isotrack.engines.pk.report import course_notes
from isotrack.engines.pk.washout import Washout, washout
from isotrack.knowledge import Knowledge
from isotrack.knowledge.pk import Food

# The course curve's assumptions, as ``course_report`` takes them by default.
FOOD: Food = "fed"
DOSES_PER_DAY = 2


class PkSummary(BaseModel):
    """Estimated return to natural levels after the latest dose, beside the one-month rules."""

    model_config = ConfigDict(frozen=True)
    first_dose_date: dt.date | None
    model_state: str
    washout_days: float | None
    washout: Washout | None
    notes: list[str]


def pk_summary(
    knowledge: Knowledge,
    timeline: Timeline,
    as_of: dt.date,
    dose: DoseProgress | None = None,
) -> PkSummary | None:
    """None before any counted dose. ``dose``: the dose engine's answer for the same course and
    day, when the caller has it (otherwise it is worked out here)."""
    intakes = course_intakes(knowledge, timeline, as_of, FOOD, DOSES_PER_DAY, dose)
    if intakes.last_product is None:
        return None
    absorption = absorption_record(
        knowledge, knowledge.product(intakes.last_product).formulation, FOOD
    )
    last_dose_h = intakes.last_time_h
    horizon_days = knowledge.number("pk.numerics.washout_horizon_days")
    curve = tail_curves(
        knowledge, intakes.groups, last_dose_h + horizon_days * HOURS_PER_DAY, last_dose_h
    )
    out = washout(knowledge, timeline.policy, curve, last_dose_h)
    washout_days = None
    if None not in (out.isotretinoin_days, out.oxo_isotretinoin_days):
        washout_days = max(out.isotretinoin_days or 0.0, out.oxo_isotretinoin_days or 0.0)
    return PkSummary(
        first_dose_date=intakes.first_day,
        model_state=absorption.id,
        washout_days=washout_days,
        washout=out,
        notes=course_notes(FOOD, DOSES_PER_DAY),
    )
