"""One batch of timelines in, finding rows and course rows out: the unit every runner ships to
a worker (a process of the DuckDB runner's pool, a Spark task)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from isotrack.audit.fhir_courses import FHIR_GROUP, GROUP_PREFIX, read_group
from isotrack.audit.findings import CourseRow, Finding, Pseudonymiser
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


@dataclass
class BatchResult:
    findings: list[Finding]
    courses: list[CourseRow]
    unreadable: list[str]


def audit_lines(
    lines: Sequence[str], job: BatchJob, sql_flags: Sequence[bool | None] | None = None
) -> BatchResult:
    """Audit each timeline (JSON text); ``sql_flags`` are the SQL pre-check's verdicts, kept
    beside the engine's so the summary can count where they disagree."""
    pseudonym = Pseudonymiser(job.pseudonym_key)
    found: list[Finding] = []
    courses: list[CourseRow] = []
    unreadable: list[str] = []
    flags: Sequence[bool | None] = sql_flags if sql_flags is not None else [None] * len(lines)
    for line, flag in zip(lines, flags, strict=True):
        for read in courses_of_line(line):
            if isinstance(read, str):
                unreadable.append(read)
                continue
            _audit_one(read, job, pseudonym, flag, found, courses)
    return BatchResult(found, courses, unreadable)


def _audit_one(
    read: tuple[Timeline, dict[str, str] | None],
    job: BatchJob,
    pseudonym: Pseudonymiser,
    flag: bool | None,
    found: list[Finding],
    courses: list[CourseRow],
) -> None:
    timeline, recorded_at = read
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
    for f in course.findings:
        found.append(
            Finding(
                **{
                    **asdict(f),
                    "patient_id": pseudonym(f.patient_id),
                    "course_id": course_id,
                    "prescriber_id": course.prescriber_id,
                }
            )
        )
    courses.append(
        CourseRow(
            course_id=course_id,
            policy=course.policy,
            prescriber_id=course.prescriber_id,
            start_month=course.start_month,
            dispenses=course.dispenses,
            findings=len(course.findings),
            sql_supply_over=flag,
            engine_supply_over=any(f.rule_id == "supply_over_limit" for f in course.findings),
        )
    )


def courses_of_line(line: str) -> list[tuple[Timeline, dict[str, str] | None] | str]:
    """The courses of one line (a timeline, or one patient's FHIR resources), or why not."""
    if line.startswith(GROUP_PREFIX):
        try:
            mapped = read_group(knowledge(), line)
        except ValueError as exc:
            return [f"{FHIR_GROUP}: not JSON ({exc})"]
        return [m if isinstance(m, str) else (m, None) for m in mapped]
    try:
        return [read_course(line)]
    except IsotrackInputError as exc:
        return [str(exc)]


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
        yield {"kind": "unreadable", "message": problem}
