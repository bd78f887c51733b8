"""The course's dated to-do list per role, built from the programme requirements.

Every item points at the requirement it serves. Items come from two places: requirements that
are still open (unmet or due) and carry a date or window, and the next monthly cycle, planned
from the day the last supply runs out.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from isotrack.domain.timeline import Timeline
from isotrack.engines.programme import evaluate_programme
from isotrack.engines.programme.course import CourseRecord
from isotrack.engines.programme.policy import active_policy
from isotrack.engines.programme.report import ProgrammeReport, Requirement, RequirementStatus, Role
from isotrack.knowledge import Knowledge


class ScheduleItem(BaseModel):
    model_config = ConfigDict(frozen=True)

    date: dt.date | None = None
    window_start: dt.date | None = None
    window_end: dt.date | None = None
    who: Role
    what: str
    requirement_id: str

    @property
    def sort_key(self) -> dt.date:
        return self.date or self.window_start or self.window_end or dt.date.max


class Schedule(BaseModel):
    model_config = ConfigDict(frozen=True)

    policy: str
    as_of: dt.date
    items: list[ScheduleItem] = Field(default_factory=list)


OPEN = (RequirementStatus.UNMET, RequirementStatus.UNKNOWN, RequirementStatus.DUE)


def _from_requirement(requirement: Requirement) -> ScheduleItem | None:
    if requirement.status not in OPEN:
        return None
    if requirement.window_start is not None and requirement.window_end is not None:
        return ScheduleItem(
            window_start=requirement.window_start,
            window_end=requirement.window_end,
            who=requirement.who,
            what=requirement.message,
            requirement_id=requirement.id,
        )
    if requirement.due_date is None:
        return None
    return ScheduleItem(
        date=requirement.due_date,
        who=requirement.who,
        what=requirement.message,
        requirement_id=requirement.id,
    )


def _open_window(report: ProgrammeReport) -> list[ScheduleItem]:
    decision = report.dispense_decision
    if decision.dispense_by is None or decision.prescription_id is None:
        return []
    return [
        ScheduleItem(
            window_start=report.as_of,
            window_end=decision.dispense_by,
            who=Role.PHARMACIST,
            what=f"Dispense {decision.prescription_id} no later than "
            f"{decision.dispense_by.isoformat()} (up to {decision.max_days_supply or '?'} days).",
            requirement_id="dispense.window",
        )
    ]


def _next_cycle(
    knowledge: Knowledge, timeline: Timeline, report: ProgrammeReport
) -> list[ScheduleItem]:
    record = CourseRecord.of(timeline, report.as_of)
    runs_out = record.supply_runs_out
    # After the last dose (the programme section's own treatment period) no cycle is planned.
    if report.treatment.end is not None or runs_out is None:
        return []
    policy = active_policy(knowledge, timeline.policy)
    last = record.dispenses[-1]
    if any(p.date > last.date for p in record.prescriptions):
        return []  # a prescription is waiting: its window is the next thing on the list
    visit = min(runs_out, policy.after(last.date, "follow_up_interval"))
    ids = {r.id for r in report.requirements if r.status is not RequirementStatus.NOT_APPLICABLE}
    items = [
        ScheduleItem(
            date=visit,
            who=Role.PRESCRIBER,
            what="Follow-up visit and next prescription (supply runs out on "
            f"{runs_out.isoformat()}).",
            requirement_id="counselling.prescription"
            if "counselling.prescription" in ids
            else "prescription.max_supply",
        )
    ]
    if "test.prescription" in ids and "dispense.window" in ids:
        window_days = policy.count("dispense_window_days")
        lead = (
            policy.count("test_before_prescription_days")
            if "test_before_prescription_days" in policy.policy.parameters
            and policy.policy.programme != "ipledge"
            else window_days - 1
        )
        items.append(
            ScheduleItem(
                window_start=visit - dt.timedelta(days=lead),
                window_end=visit,
                who=Role.PATIENT,
                what="Pregnancy test for the next prescription.",
                requirement_id="test.prescription",
            )
        )
    if "comprehension.prescription" in ids:
        items.append(
            ScheduleItem(
                window_start=visit - dt.timedelta(days=policy.count("dispense_window_days") - 1),
                window_end=visit,
                who=Role.PATIENT,
                what="Answer the programme's comprehension questions.",
                requirement_id="comprehension.prescription",
            )
        )
    for requirement_id, what in (
        ("assessment.mental_health.follow_up", "Review mental health at the follow-up visit."),
        ("assessment.sexual_function.follow_up", "Review sexual function at the follow-up visit."),
    ):
        if requirement_id in ids:
            items.append(
                ScheduleItem(
                    date=visit, who=Role.PRESCRIBER, what=what, requirement_id=requirement_id
                )
            )
    return items


def schedule_from_report(
    knowledge: Knowledge, timeline: Timeline, report: ProgrammeReport
) -> Schedule:
    """The schedule for an already computed programme report."""
    planned = _next_cycle(knowledge, timeline, report)
    planned_ids = {item.requirement_id for item in planned}
    items = [
        item
        for item in (_from_requirement(r) for r in report.requirements)
        if item is not None and item.requirement_id not in planned_ids
    ]
    items += _open_window(report) if report.dispense_decision.authorized else []
    items += planned
    seen: set[tuple[object, ...]] = set()
    unique: list[ScheduleItem] = []
    for item in sorted(items, key=lambda i: (i.sort_key, i.who.value, i.requirement_id)):
        key = (item.date, item.window_start, item.window_end, item.who, item.requirement_id)
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return Schedule(policy=timeline.policy, as_of=report.as_of, items=unique)


def build_schedule(knowledge: Knowledge, timeline: Timeline, as_of: dt.date) -> Schedule:
    """The dated to-do list of the course on ``as_of``, for prescriber, pharmacist and patient."""
    return schedule_from_report(knowledge, timeline, evaluate_programme(knowledge, timeline, as_of))
