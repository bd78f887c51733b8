"""What the timeline says on a given day, in the terms the programme rules use."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

from isotrack.domain.events import (
    AssessmentDone,
    ComprehensionChecked,
    ContraceptionRecorded,
    CounsellingGiven,
    Dispensed,
    Enrolled,
    EventBase,
    PregnancyReported,
    PregnancyTestTaken,
    PrescriptionWritten,
    VisitHeld,
)
from isotrack.domain.timeline import Timeline, events_of
from isotrack.engines.course_events import category_on, course_on
from isotrack.engines.treatment_period import TreatmentPeriod


@dataclass(frozen=True)
class CourseRecord:
    """The course as it stands on ``on``: effective events dated on or before that day.

    ``period`` holds the first and last dose, read by the rule every engine shares.
    """

    timeline: Timeline
    on: dt.date
    events: tuple[EventBase, ...]
    period: TreatmentPeriod

    @classmethod
    def of(cls, timeline: Timeline, on: dt.date) -> CourseRecord:
        events, period = course_on(timeline, on)
        return cls(timeline, on, events, period)

    @cached_property
    def can_get_pregnant(self) -> bool:
        return self.category_source()[0]

    def category_source(self) -> tuple[bool, list[str]]:
        """The category on ``on`` and the events that set it (none: the patient record)."""
        return self._category

    @cached_property
    def _category(self) -> tuple[bool, list[str]]:
        return category_on(self.timeline, self.events)

    @cached_property
    def tests(self) -> list[PregnancyTestTaken]:
        return events_of(self.events, PregnancyTestTaken)

    @cached_property
    def prescriptions(self) -> list[PrescriptionWritten]:
        return events_of(self.events, PrescriptionWritten)

    @cached_property
    def dispenses(self) -> list[Dispensed]:
        return events_of(self.events, Dispensed)

    @cached_property
    def enrolments(self) -> list[Enrolled]:
        return events_of(self.events, Enrolled)

    @cached_property
    def counselling(self) -> list[CounsellingGiven]:
        return events_of(self.events, CounsellingGiven)

    @cached_property
    def comprehension_checks(self) -> list[ComprehensionChecked]:
        return events_of(self.events, ComprehensionChecked)

    @cached_property
    def visits(self) -> list[VisitHeld]:
        return events_of(self.events, VisitHeld)

    @cached_property
    def assessments(self) -> list[AssessmentDone]:
        return events_of(self.events, AssessmentDone)

    @cached_property
    def pregnancy_reports(self) -> list[PregnancyReported]:
        return events_of(self.events, PregnancyReported)

    @cached_property
    def contraception(self) -> list[ContraceptionRecorded]:
        """Contraception records in the order they take effect (ties: order recorded)."""
        records = events_of(self.events, ContraceptionRecorded)
        order = {r.id: i for i, r in enumerate(records)}
        return sorted(records, key=lambda r: (r.effective_from, r.date, order[r.id]))

    @property
    def first_dose(self) -> dt.date | None:
        """The first dose, recorded or inferred from the first dispense (see ``period``)."""
        return self.period.start

    @property
    def last_dose(self) -> dt.date | None:
        """The last dose, when the course has ended (a later restart reopens it)."""
        return self.period.end

    def before_first_dose(self, day: dt.date) -> bool:
        """True when ``day`` precedes treatment, or when treatment has not begun.

        Without a course_start or a dispense there is no sign treatment began, so the stricter
        pre-treatment rules apply (missing data is never read as the lenient case). Once
        capsules were dispensed, the first dispense is the inferred start (decision 14).
        """
        return self.first_dose is None or day <= self.first_dose

    @property
    def supply_runs_out(self) -> dt.date | None:
        """The day the last dispensed supply runs out, when anything was dispensed."""
        dispenses = self.dispenses
        if not dispenses:
            return None
        return dispenses[-1].date + dt.timedelta(days=dispenses[-1].days_supply)

    def dispense_of(self, prescription_id: str) -> Dispensed | None:
        for dispense in self.dispenses:
            if dispense.prescription_id == prescription_id:
                return dispense
        return None
