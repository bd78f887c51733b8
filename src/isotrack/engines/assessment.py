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
from isotrack.engines.programme import ProgrammeReport, evaluate_programme
from isotrack.engines.schedule import Schedule, build_schedule
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
    # Courses before the current one, each with its own cumulative dose (not added to ``dose``).
    earlier_courses: list[EarlierCourse] = Field(default_factory=list)


def assess(knowledge: Knowledge, timeline: Timeline, as_of: dt.date) -> Assessment:
    """Evaluate every part of a course as of ``as_of``."""
    return Assessment(
        patient_id=timeline.patient.id,
        policy=timeline.policy,
        as_of=as_of,
        dose=evaluate_dose(knowledge, timeline, as_of),
        programme=evaluate_programme(knowledge, timeline, as_of),
        schedule=build_schedule(knowledge, timeline, as_of),
        monitoring=evaluate_monitoring(knowledge, timeline, as_of),
        earlier_courses=earlier_courses(knowledge, timeline, as_of),
    )
