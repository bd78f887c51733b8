"""The small ``pk`` section of an assessment: washout after the latest counted dose."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict

from isotrack.domain.timeline import Timeline
from isotrack.engines.pk.report import course_report
from isotrack.engines.pk.washout import Washout
from isotrack.knowledge import Knowledge


class PkSummary(BaseModel):
    """Estimated return to natural levels after the latest dose, beside the one-month rules."""

    model_config = ConfigDict(frozen=True)
    first_dose_date: dt.date | None
    model_state: str
    washout_days: float | None
    washout: Washout | None
    notes: list[str]


def pk_summary(knowledge: Knowledge, timeline: Timeline, as_of: dt.date) -> PkSummary | None:
    report = course_report(knowledge, timeline, as_of)
    if report is None:
        return None
    return PkSummary(
        first_dose_date=report.first_dose_date,
        model_state=report.model_state,
        washout_days=report.washout_days,
        washout=report.washout,
        notes=report.notes,
    )
