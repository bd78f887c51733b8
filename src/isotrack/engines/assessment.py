"""One call that runs every engine over a course: the ``evaluate`` output.

Each section is computed by its own engine; this module only gathers them.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from isotrack.domain.timeline import Timeline
from isotrack.engines.course_history import earlier_courses
from isotrack.engines.courses import EarlierCourse
from isotrack.engines.dose import DoseProgress, evaluate_dose
from isotrack.engines.monitoring import MonitoringReport, evaluate_monitoring
from isotrack.engines.pk.summary import PkSummary, pk_summary
from isotrack.engines.pregnancy_exposure import PregnancyExposure, pregnancy_exposure
from isotrack.engines.programme import ProgrammeReport, evaluate_programme
from isotrack.engines.response import ResponseReport, evaluate_response
from isotrack.engines.schedule import Schedule, schedule_from_report
from isotrack.engines.snapshot import course_snapshot
from isotrack.knowledge import Knowledge

ASSESSMENT_SCHEMA = "isotrack.assessment/1"


class Assessment(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True)

    schema_: str = Field(default=ASSESSMENT_SCHEMA, alias="schema")
    patient_id: str
    policy: str
    as_of: dt.date
    dose: DoseProgress
    programme: ProgrammeReport
    schedule: Schedule
    monitoring: MonitoringReport
    response: ResponseReport
    pk: PkSummary | None = None  # estimated washout after the latest dose; None before any dose
    pregnancy_exposure: PregnancyExposure | None = Field(
        default=None, description="opened by a positive test or a reported pregnancy"
    )
    # Courses before the current one, each with its own cumulative dose (not added to ``dose``).
    earlier_courses: list[EarlierCourse] = Field(default_factory=list)


def assess(knowledge: Knowledge, timeline: Timeline, as_of: dt.date) -> Assessment:
    """Evaluate every part of a course as of ``as_of``.

    The course snapshot of ``as_of`` is built once here and read by every engine (through the
    timeline it is kept with); the programme is evaluated once and the schedule built from its
    report.
    """
    course_snapshot(timeline, as_of)
    dose = evaluate_dose(knowledge, timeline, as_of)
    programme = evaluate_programme(knowledge, timeline, as_of)
    monitoring = evaluate_monitoring(knowledge, timeline, as_of)
    return Assessment(
        patient_id=timeline.patient.id,
        policy=timeline.policy,
        as_of=as_of,
        dose=dose,
        programme=programme,
        schedule=schedule_from_report(knowledge, timeline, programme),
        monitoring=monitoring,
        response=evaluate_response(
            knowledge, timeline, as_of, monitoring.risk_factors, dose.projected_end_date
        ),
        pk=pk_summary(knowledge, timeline, as_of, dose),
        pregnancy_exposure=pregnancy_exposure(knowledge, timeline, as_of),
        earlier_courses=earlier_courses(knowledge, timeline, as_of),
    )
