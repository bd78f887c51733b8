"""One course snapshot per (timeline, day): what every engine reads, worked out once.

Every engine starts from the same reading of a course: the effective events (voids and
amendments applied, in date order), only those dated on or before the day (a rule never sees the
future), the first and last dose (decision 14), the patient's category, and the events of each
type. Each engine used to compute these on its own, some more than once per call. A snapshot
holds them; :func:`course_snapshot` builds it once per timeline and day and keeps it with the
timeline (``Timeline.derived``), so every engine asked about the same course on the same day
reads the same object.

A snapshot needs no knowledge and no policy: it is what the record says, not what the rules make
of it. Typed lists and indexes are computed on first use.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TypeVar, cast

from isotrack.domain.events import (
    AdverseEventReported,
    AssessmentDone,
    CategoryAssigned,
    ComprehensionChecked,
    ContraceptionRecorded,
    CounsellingGiven,
    Dispensed,
    DoseChanged,
    Enrolled,
    EventBase,
    LabResultRecorded,
    MoodScreened,
    PregnancyReported,
    PregnancyTestTaken,
    PrescriptionWritten,
    VisitHeld,
    WeightMeasured,
)
from isotrack.domain.timeline import Patient, Timeline, effective_events
from isotrack.engines.treatment_period import TreatmentPeriod, treatment_period
from isotrack.knowledge import Knowledge

E = TypeVar("E", bound=EventBase)
T = TypeVar("T")


@dataclass(frozen=True, eq=False)
class CourseSnapshot:
    """The course as the record stands on ``on``.

    ``recorded`` is every effective event (all dates); ``events`` those dated on or before
    ``on``, in date order (ties: recording order). ``period`` is the treatment period on ``on``,
    read from ``recorded`` as :func:`treatment_period` does. It holds the patient and the policy
    id rather than the timeline: the timeline keeps its snapshots, and a snapshot pointing back
    would make every loaded course a reference cycle for the garbage collector.
    """

    patient: Patient
    policy_id: str
    on: dt.date
    recorded: tuple[EventBase, ...]
    events: tuple[EventBase, ...]
    period: TreatmentPeriod

    # -- category ---------------------------------------------------------------------------

    @cached_property
    def category(self) -> tuple[bool, tuple[str, ...]]:
        """Whether the patient can get pregnant on ``on``, and the event that says so.

        The latest category or enrolment event that names a category wins over the patient
        record (no event: the patient record, and no event id).
        """
        value = self.patient.can_get_pregnant
        event_ids: tuple[str, ...] = ()
        for event in self.events:
            category = event.category if isinstance(event, (CategoryAssigned, Enrolled)) else None
            if category is not None:
                value = category == "can_get_pregnant"
                event_ids = (event.id,)
        return value, event_ids

    @property
    def can_get_pregnant(self) -> bool:
        return self.category[0]

    # -- indexes ----------------------------------------------------------------------------

    @cached_property
    def by_type(self) -> Mapping[type[EventBase], tuple[EventBase, ...]]:
        """The events dated on or before ``on`` grouped by their class, each in date order."""
        grouped: dict[type[EventBase], list[EventBase]] = {}
        for event in self.events:
            grouped.setdefault(type(event), []).append(event)
        return {kind: tuple(found) for kind, found in grouped.items()}

    def of_type(self, kind: type[E]) -> tuple[E, ...]:
        """The events of one type dated on or before ``on``, in date order."""
        return cast(tuple[E, ...], self.by_type.get(kind, ()))

    @cached_property
    def by_id(self) -> Mapping[str, EventBase]:
        """Every effective event by id, whatever its date."""
        return {event.id: event for event in self.recorded}

    @cached_property
    def dispense_by_prescription(self) -> Mapping[str, Dispensed]:
        """The first dispense of each prescription, on or before ``on``."""
        found: dict[str, Dispensed] = {}
        for dispense in self.dispenses:
            found.setdefault(dispense.prescription_id, dispense)
        return found

    def dispense_of(self, prescription_id: str) -> Dispensed | None:
        return self.dispense_by_prescription.get(prescription_id)

    # -- typed lists the engines read -------------------------------------------------------

    @property
    def prescriptions(self) -> tuple[PrescriptionWritten, ...]:
        return self.of_type(PrescriptionWritten)

    @property
    def dispenses(self) -> tuple[Dispensed, ...]:
        return self.of_type(Dispensed)

    @property
    def pregnancy_tests(self) -> tuple[PregnancyTestTaken, ...]:
        return self.of_type(PregnancyTestTaken)

    @property
    def lab_results(self) -> tuple[LabResultRecorded, ...]:
        return self.of_type(LabResultRecorded)

    @property
    def mood_screens(self) -> tuple[MoodScreened, ...]:
        return self.of_type(MoodScreened)

    @property
    def adverse_events(self) -> tuple[AdverseEventReported, ...]:
        return self.of_type(AdverseEventReported)

    @property
    def weights(self) -> tuple[WeightMeasured, ...]:
        return self.of_type(WeightMeasured)

    @property
    def dose_changes(self) -> tuple[DoseChanged, ...]:
        return self.of_type(DoseChanged)

    @property
    def enrolments(self) -> tuple[Enrolled, ...]:
        return self.of_type(Enrolled)

    @property
    def counselling(self) -> tuple[CounsellingGiven, ...]:
        return self.of_type(CounsellingGiven)

    @property
    def comprehension_checks(self) -> tuple[ComprehensionChecked, ...]:
        return self.of_type(ComprehensionChecked)

    @property
    def visits(self) -> tuple[VisitHeld, ...]:
        return self.of_type(VisitHeld)

    @property
    def assessments(self) -> tuple[AssessmentDone, ...]:
        return self.of_type(AssessmentDone)

    @property
    def pregnancy_reports(self) -> tuple[PregnancyReported, ...]:
        return self.of_type(PregnancyReported)

    @cached_property
    def contraception(self) -> tuple[ContraceptionRecorded, ...]:
        """Contraception records in the order they take effect (ties: order recorded)."""
        records = self.of_type(ContraceptionRecorded)
        order = {r.id: i for i, r in enumerate(records)}
        return tuple(sorted(records, key=lambda r: (r.effective_from, r.date, order[r.id])))

    @property
    def supply_runs_out(self) -> dt.date | None:
        """The day the last dispensed supply runs out, when anything was dispensed."""
        dispenses = self.dispenses
        if not dispenses:
            return None
        return dispenses[-1].date + dt.timedelta(days=dispenses[-1].days_supply)


def course_snapshot(timeline: Timeline, on: dt.date) -> CourseSnapshot:
    """The snapshot of ``timeline`` on ``on``: built on first use, then shared by every engine."""
    return timeline.derived(("course_snapshot", on), lambda: _build(timeline, on))


def with_knowledge(
    timeline: Timeline, knowledge: Knowledge, key: Hashable, build: Callable[[], T]
) -> T:
    """What ``build()`` makes of ``timeline`` with ``knowledge``, kept with the timeline.

    For an engine's answer that several engines read on the same course and day (the clinical
    holds, say): built once per timeline, ``key`` and knowledge base, then shared. The
    knowledge base is compared by identity, so another one loaded beside it never reads this
    one's answer.
    """
    slot: dict[int, tuple[Knowledge, T]] = timeline.derived(("with_knowledge", key), dict)
    found = slot.get(id(knowledge))
    if found is None or found[0] is not knowledge:
        found = slot[id(knowledge)] = (knowledge, build())
    return found[1]


def _build(timeline: Timeline, on: dt.date) -> CourseSnapshot:
    recorded = effective_events(timeline)
    # ``recorded`` is in date order, so the events up to ``on`` are a prefix of it.
    cut = len(recorded)
    for index, event in enumerate(recorded):
        if event.date > on:
            cut = index
            break
    return CourseSnapshot(
        patient=timeline.patient,
        policy_id=timeline.policy,
        on=on,
        recorded=recorded,
        events=recorded[:cut],
        period=treatment_period(recorded, on),
    )
