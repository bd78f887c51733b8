"""One batch of timelines in, finding rows and course rows out: the unit every runner ships to
a worker (a process of the DuckDB runner's pool, a Spark task)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from isotrack.audit.fhir_courses import (
    FHIR_GROUP,
    GROUP_PREFIX,
    NAMES_NO_PATIENT,
    UNOWNED,
    UNOWNED_PREFIX,
    Unmapped,
    read_group,
)
from isotrack.audit.findings import CourseRow, Finding, NotRead, Pseudonymiser
from isotrack.audit.rules import audit_course
from isotrack.domain.errors import FieldProblem, IsotrackInputError
from isotrack.domain.events import Dispensed
from isotrack.domain.json_input import read_json
from isotrack.domain.timeline import Timeline, load_timeline
from isotrack.knowledge import Knowledge, load_knowledge
from isotrack.knowledge.clinic_overlay import ClinicOverlay, SettingsPeriod, settings_in_force
from isotrack.knowledge.packaged import clinic_knowledge

_KNOWLEDGE: Knowledge | None = None
# Clinic bases built in this worker, newest last: one per distinct overlay it was asked for.
_CLINIC: list[tuple[ClinicOverlay, Knowledge]] = []
_CLINIC_KEPT = 16
# What ``resource`` says of an unreadable course: nothing of it was read.
WHOLE_COURSE = "(the whole course)"
# A reader that knows when each event was recorded (the store) adds this top-level member to
# the timeline JSON: {event id: ISO 8601 recording time}. It is not part of the timeline.
RECORDED_AT = "recorded_at"


def knowledge(overlay: ClinicOverlay | None = None) -> Knowledge:
    """The knowledge base, loaded once per worker process; with a clinic's programme settings
    laid over it when the courses come from that clinic's store (built once per overlay)."""
    global _KNOWLEDGE
    if overlay is not None and not overlay.empty:
        # Compared by value: each batch brings its own unpickled copy of the same overlays.
        for kept, built in _CLINIC:
            if kept == overlay:
                return built
        built = clinic_knowledge(overlay)
        _CLINIC.append((overlay, built))
        del _CLINIC[:-_CLINIC_KEPT]
        return built
    if _KNOWLEDGE is None:
        _KNOWLEDGE = load_knowledge()
    return _KNOWLEDGE


@dataclass(frozen=True)
class BatchJob:
    """What a worker needs besides the timelines: picklable, so it crosses process bounds."""

    audit_date: dt.date
    pseudonym_key: bytes
    max_days_supply_sql: int | None = None
    # The clinic's programme settings when the audit runs (the look back after the fills).
    overlay: ClinicOverlay | None = None
    # Every state the settings were in, oldest first: each fill is judged with the settings
    # in force when it was recorded, as the pharmacist's decision was (empty: ``overlay``).
    settings_history: tuple[SettingsPeriod, ...] = ()


@dataclass(frozen=True)
class CourseRead:
    """One course as read from a line: its timeline, when each event was recorded (where the
    reader knows), and what of its source was not read (resource, reason)."""

    timeline: Timeline
    recorded_at: dict[str, str] | None = None
    not_read: tuple[tuple[str, str], ...] = ()


@dataclass
class BatchResult:
    findings: list[Finding]
    courses: list[CourseRow]
    # Courses none of which could be read: who (pseudonymised, where known) and why.
    unreadable: list[NotRead]
    not_read: list[NotRead] = field(default_factory=list)


def audit_lines(
    lines: Sequence[str], job: BatchJob, sql_flags: Sequence[bool | None] | None = None
) -> BatchResult:
    """Audit each timeline (JSON text); ``sql_flags`` are the SQL pre-check's verdicts, kept
    beside the engine's so the summary can count where they disagree."""
    pseudonym = Pseudonymiser(job.pseudonym_key)
    result = BatchResult([], [], [])
    flags: Sequence[bool | None] = sql_flags if sql_flags is not None else [None] * len(lines)
    for line, flag in zip(lines, flags, strict=True):
        for read in courses_of_line(line):
            if isinstance(read, Unmapped):
                who = pseudonym(read.patient_id) if read.patient_id else ""
                result.unreadable.append(NotRead(who, "", WHOLE_COURSE, read.reason))
            elif isinstance(read, NotRead):
                result.not_read.append(read)
            else:
                _audit_one(read, job, pseudonym, flag, result)
    return result


def _audit_one(
    read: CourseRead, job: BatchJob, pseudonym: Pseudonymiser, flag: bool | None,
    result: BatchResult,
) -> None:  # fmt: skip
    timeline, recorded_at = read.timeline, read.recorded_at
    recorded_on = None
    if recorded_at is not None:
        recorded_on = {k: dt.date.fromisoformat(v[:10]) for k, v in recorded_at.items()}
    in_force = None
    if job.settings_history:
        stamps = recorded_at or {}

        def in_force(dispense: Dispensed) -> Knowledge:
            stood = settings_in_force(job.settings_history, stamps.get(dispense.id), dispense.date)
            return knowledge(stood)

    course = audit_course(knowledge(job.overlay), timeline, job.audit_date, recorded_on, in_force)
    course_id = pseudonym(course.course_id)
    patient_id = pseudonym(timeline.patient.id)
    for f in course.findings:
        result.findings.append(
            Finding(
                **{
                    **asdict(f),
                    "patient_id": pseudonym(f.patient_id),
                    "course_id": course_id,
                    "prescriber_id": course.prescriber_id,
                }
            )
        )
    result.not_read.extend(
        NotRead(patient_id, course_id, resource, reason) for resource, reason in read.not_read
    )
    result.courses.append(
        CourseRow(
            course_id=course_id,
            policy=course.policy,
            prescriber_id=course.prescriber_id,
            start_month=course.start_month,
            dispenses=course.dispenses,
            findings=len(course.findings),
            sql_supply_over=flag,
            engine_supply_over=any(f.rule_id == "supply_over_limit" for f in course.findings),
            not_read=len(read.not_read),
        )
    )


def courses_of_line(line: str) -> list[CourseRead | NotRead | Unmapped]:
    """The courses of one line (a timeline, or one patient's FHIR resources), or why not; a
    line counting resources that name no patient, as what was not read."""
    if line.startswith(GROUP_PREFIX):
        try:
            mapped = read_group(knowledge(), line)
        except ValueError as exc:
            return [Unmapped("", f"{FHIR_GROUP}: not JSON ({exc})")]
        return [
            m
            if isinstance(m, Unmapped)
            else CourseRead(m[0], None, tuple((w.where, w.message) for w in m[1]))
            for m in mapped
        ]
    if line.startswith(UNOWNED_PREFIX):
        data = json.loads(line)
        return [NotRead("", "", str(data[UNOWNED]), NAMES_NO_PATIENT, int(data["count"]))]
    try:
        return [CourseRead(*read_course(line))]
    except IsotrackInputError as exc:
        return [Unmapped(_patient_of(line), _without_values(exc))]


def read_course(line: str) -> tuple[Timeline, dict[str, str] | None]:
    """The timeline of one line and, where the reader added them, its recording times."""
    if f'"{RECORDED_AT}"' not in line:
        return load_timeline(line), None
    data = read_json(line, document="timeline")
    if not isinstance(data, dict):
        return load_timeline(line), None
    stamps = data.pop(RECORDED_AT, None)
    if not isinstance(stamps, dict):
        raise IsotrackInputError(
            [FieldProblem(RECORDED_AT, RECORDED_AT, str(stamps)[:40], "event id -> ISO time")],
            "invalid recording times",
        )
    try:
        recorded_at = {str(k): str(v) for k, v in stamps.items()}
        for stamp in recorded_at.values():
            dt.date.fromisoformat(stamp[:10])
    except ValueError:
        raise IsotrackInputError(
            [FieldProblem(RECORDED_AT, RECORDED_AT, "(a value)", "ISO 8601 times")],
            "invalid recording times",
        ) from None
    return load_timeline(data), recorded_at


def result_rows(result: BatchResult) -> Iterable[dict[str, Any]]:
    """One flat row per finding and per course (``kind`` tells them apart): the shape a Spark
    task returns, since a task yields a single table."""
    for f in result.findings:
        yield {"kind": "finding", **f.as_row(), "source_ids": json.dumps(f.source_ids)}
    for c in result.courses:
        yield {"kind": "course", **asdict(c)}
    for problem in result.unreadable:
        yield {"kind": "unreadable", **asdict(problem)}
    for item in result.not_read:
        yield {"kind": "not_read", **asdict(item)}


def _patient_of(line: str) -> str:
    """The patient id of a timeline that could not be loaded, where its JSON says it."""
    try:
        patient = json.loads(line).get("patient")
    except (ValueError, AttributeError):
        return ""
    found = patient.get("id") if isinstance(patient, dict) else None
    return found if isinstance(found, str) else ""


def _without_values(error: IsotrackInputError) -> str:
    """Why a timeline could not be loaded, naming the fields and what they allow but not the
    values given: an auditor's outputs must not carry a birth date or a name."""
    where = "; ".join(
        f"{p.location}, field {p.field!r}: allowed {p.allowed}" for p in error.problems[:3]
    )
    return f"{error.summary} ({where})" if where else error.summary
