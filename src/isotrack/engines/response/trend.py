"""The response trend: each assessment against the baseline, prescriber and self-report apart."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict

from isotrack.domain.events import AcneAssessment
from isotrack.knowledge import Knowledge
from isotrack.knowledge.response import GradingScale

LESION_TYPES = ("comedones", "papules", "pustules", "nodules_cysts")
DAYS_PER_WEEK = dt.timedelta(weeks=1).days
PERCENT = 100


class TrendPoint(BaseModel):
    model_config = ConfigDict(frozen=True)
    event_id: str
    date: dt.date
    week: int | None  # whole weeks since the first dose; None before treatment started
    scale: Literal["iga", "gags"]
    grade: int
    grade_label: str
    grade_change: int | None  # against the baseline on the same scale
    lesion_total: int | None  # the counted lesions, all sites and types
    lesion_change_percent: float | None  # over the site/type pairs counted both times
    change_percent_by_type: dict[str, float | None]
    scarring: str | None


class Track(BaseModel):
    """One assessor's series: ``prescriber`` or ``patient`` (self-report)."""

    model_config = ConfigDict(frozen=True)
    assessed_by: Literal["prescriber", "patient"]
    baseline: TrendPoint | None
    baseline_note: str | None
    points: list[TrendPoint]

    @property
    def latest(self) -> TrendPoint | None:
        return self.points[-1] if self.points else None


def _counts(assessment: AcneAssessment) -> dict[tuple[str, str], int]:
    found: dict[tuple[str, str], int] = {}
    for site, counts in assessment.lesions.items():
        for kind in LESION_TYPES:
            value = getattr(counts, kind)
            if value is not None:
                found[(site, kind)] = value
    return found


def _change(
    now: dict[tuple[str, str], int], then: dict[tuple[str, str], int], kind: str | None
) -> float | None:
    pairs = [p for p in now.keys() & then.keys() if kind is None or p[1] == kind]
    before = sum(then[p] for p in pairs)
    if not pairs or before == 0:
        return None
    return round((sum(now[p] for p in pairs) - before) / before * PERCENT, 1)


def _point(
    scales: dict[str, GradingScale],
    assessment: AcneAssessment,
    baseline: AcneAssessment | None,
    first_dose: dt.date | None,
) -> TrendPoint:
    counts = _counts(assessment)
    base_counts = _counts(baseline) if baseline is not None else {}
    same_scale = baseline is not None and baseline.scale == assessment.scale
    week = None
    if first_dose is not None and assessment.date >= first_dose:
        week = (assessment.date - first_dose).days // DAYS_PER_WEEK
    return TrendPoint(
        event_id=assessment.id,
        date=assessment.date,
        week=week,
        scale=assessment.scale,
        grade=assessment.grade,
        grade_label=scales[assessment.scale].grade(assessment.grade).label,
        grade_change=assessment.grade - baseline.grade if same_scale and baseline else None,
        lesion_total=sum(counts.values()) if counts else None,
        lesion_change_percent=_change(counts, base_counts, None),
        change_percent_by_type={k: _change(counts, base_counts, k) for k in LESION_TYPES},
        scarring=assessment.scarring,
    )


def build_track(
    knowledge: Knowledge,
    assessments: Sequence[AcneAssessment],
    assessed_by: Literal["prescriber", "patient"],
    first_dose: dt.date | None,
) -> Track:
    """The series of one assessor; the baseline is its last assessment on or before the first
    dose, else its first assessment (said in ``baseline_note``)."""
    scales = dict(knowledge.records("grading_scale", GradingScale))
    own = sorted((a for a in assessments if a.assessed_by == assessed_by), key=lambda a: a.date)
    if not own:
        return Track(assessed_by=assessed_by, baseline=None, baseline_note=None, points=[])
    before = [a for a in own if first_dose is None or a.date <= first_dose]
    baseline = before[-1] if before else own[0]
    note = None if before else "no assessment before the first dose: the first one is the baseline"
    points = [_point(scales, a, baseline, first_dose) for a in own]
    return Track(
        assessed_by=assessed_by,
        baseline=_point(scales, baseline, baseline, first_dose),
        baseline_note=note,
        points=points,
    )
