"""What the pages do with the store: who may see which course, appending events, enrolling,
recording dispense decisions and dispenses. Built on the store's functions, one transaction each.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import Connection

from isotrack.api.access import Action, require_patient
from isotrack.api.course_writes import NewPatient, append_event_as, enrol_patient
from isotrack.api.dispensing import decide_and_record_on
from isotrack.api.problems import Problem
from isotrack.api.service import Service
from isotrack.domain.errors import FieldProblem, IsotrackInputError
from isotrack.domain.events import Dispensed, EventBase, PrescriptionWritten
from isotrack.domain.timeline import Timeline, effective_events, events_of, parse_event
from isotrack.engines.programme import home_test_accepted
from isotrack.knowledge import Knowledge
from isotrack.store.authorizations import (
    AuthorizationRecord,
    authorization_by_code,
    authorizations_of_course,
)
from isotrack.store.courses import (
    CourseHeader,
    NotFound,
    StoredCourse,
    courses_of_patient,
    read_course,
    read_header,
)
from isotrack.store.patients import PatientRecord, patient_record
from isotrack.store.users import Role, create_user, generate_password
from isotrack.web.session import WebUser

PRESCRIBING_ROLES = (Role.PRESCRIBER.value, Role.DESIGNEE.value)


class CourseHidden(LookupError):
    """The course does not exist or is not this user's to see (the two are not told apart)."""


def open_course(connection: Connection, user: WebUser, course_id: str) -> StoredCourse:
    """A course the user may read: in a prescriber's care, or the patient's own."""
    try:
        course = read_course(connection, course_id)
    except NotFound:
        raise CourseHidden(course_id) from None
    header = course.header
    action = Action.READ_COURSE
    if user.role == Role.PHARMACIST.value:
        action = Action.DECIDE_DISPENSE  # the pharmacy reaches a course only to decide on it
    try:
        require_patient(user.user, action, header.patient_id, header.prescriber_user_id)
    except Problem:
        raise CourseHidden(course_id) from None
    return course


def patient_name(connection: Connection, patient_id: str) -> str:
    record = patient_record(connection, patient_id)
    return record.display_name if record else patient_id


def home_test_allowed(knowledge: Knowledge, timeline: Timeline, on: dt.date) -> bool:
    """True when the course's policy accepts a home pregnancy test from the patient today."""
    if not timeline.patient.can_get_pregnant:
        return False
    return home_test_accepted(knowledge, timeline, on)


def problem_as_input_error(problem: Problem) -> IsotrackInputError:
    """The service's field errors as the domain's, so a form can place each next to its field."""
    problems = [
        FieldProblem(
            str(e.get("location", "")), str(e.get("field", "")), e.get("value"),
            str(e.get("allowed", "")),
        )
        for e in problem.errors
    ]  # fmt: skip
    if not problems:
        problems = [FieldProblem("request", "(form)", None, problem.detail or problem.title)]
    return IsotrackInputError(problems, problem.title)


def record_event(service: Service, user: WebUser, course_id: str, event: EventBase) -> None:
    """Append one event as ``user`` with every rule of the service applied.

    Raises IsotrackInputError naming the field at fault (including a lab unit that does not fit
    the test, a home test the policy does not accept, or a role that may not record this).
    """
    body = event.model_dump(mode="json", exclude_none=True)
    try:
        append_event_as(service, user.principal(), course_id, body, None)
    except Problem as problem:
        if problem.status == 404:
            raise CourseHidden(course_id) from None
        raise problem_as_input_error(problem) from None


@dataclass(frozen=True)
class Enrolment:
    patient_id: str
    course_id: str
    username: str | None
    password: str | None  # shown once on the page that confirms the enrolment


_USERNAME_SAFE = re.compile(r"[^a-z0-9]+")


def enrol(
    service: Service,
    user: WebUser,
    new: NewPatient,
    *,
    on: dt.date,
    create_sign_in: bool,
) -> Enrolment:
    """Register a patient in the prescriber's care, open a course, record the enrolment, and
    (if asked) create the patient's own sign-in, whose password is shown once."""
    try:
        patient_id, course_id = enrol_patient(service, user.principal(), new)
    except Problem as problem:
        raise problem_as_input_error(problem) from None
    category = "can_get_pregnant" if new.can_get_pregnant else "cannot_get_pregnant"
    enrolment = parse_event(
        {"id": "enrolment", "type": "enrolment", "date": on.isoformat(), "category": category}
    )
    record_event(service, user, course_id, enrolment)
    username = password = None
    if create_sign_in:
        base = _USERNAME_SAFE.sub(".", new.display_name.lower()).strip(".") or "patient"
        suffix = _USERNAME_SAFE.sub("", patient_id.lower())[-4:]
        username = f"{base}.{suffix}" if suffix else base
        password = generate_password()
        with service.database.writing() as connection:
            create_user(
                connection,
                username=username,
                password=password,
                role=Role.PATIENT,
                display_name=new.display_name,
                patient_id=patient_id,
            )
    return Enrolment(patient_id, course_id, username, password)


@dataclass(frozen=True)
class DispenseMatch:
    """A course the pharmacist found, with the prescriptions they can check."""

    course_id: str
    patient_id: str
    patient_name: str
    policy_id: str
    summary: str
    prescriptions: list[tuple[str, str]]  # (id, label), newest first
    authorizations: list[AuthorizationRecord]


def _prescriptions(timeline: Timeline) -> list[tuple[str, str]]:
    written = events_of(effective_events(timeline), PrescriptionWritten)
    return [
        (rx.id, f"{rx.date.isoformat()} — {rx.product} {rx.daily_dose_mg:g} mg/day, "
                f"{rx.days_supply} days ({rx.id})")
        for rx in reversed(written)
    ]  # fmt: skip


def find_for_dispense(connection: Connection, query: str) -> list[DispenseMatch]:
    """Courses matching a patient identifier or an authorization code (exact, any case)."""
    text = query.strip()
    if not text:
        return []
    headers: list[CourseHeader] = []
    record: PatientRecord | None = patient_record(connection, text)
    if record is not None:
        headers = courses_of_patient(connection, record.id)
    else:
        authorization = authorization_by_code(connection, text)
        if authorization is not None:
            headers = [read_header(connection, authorization.course_id)]
    matches = []
    for header in reversed(headers):
        course = read_course(connection, header.id)
        timeline = course.timeline()
        category = "can get pregnant" if header.can_get_pregnant else "cannot get pregnant"
        matches.append(
            DispenseMatch(
                course_id=header.id,
                patient_id=header.patient_id,
                patient_name=patient_name(connection, header.patient_id),
                policy_id=header.policy,
                summary=f"born {header.birth_date.isoformat()}, {category}",
                prescriptions=_prescriptions(timeline),
                authorizations=list(reversed(authorizations_of_course(connection, header.id))),
            )
        )
    return matches


def check_and_record(
    service: Service,
    user: WebUser,
    *,
    course_id: str,
    prescription_id: str | None,
    on: dt.date,
) -> AuthorizationRecord:
    """Run the dispense decision for ``on`` and store it (committed before the page answers).

    ``on`` defaults to today on the page; a pharmacist may check another day, and the record
    says which day was decided. The service's own decision path does the work, so the page and
    the API record decisions the same way.
    """
    try:
        return decide_and_record_on(service, user.user, course_id, prescription_id or None, on)
    except Problem as problem:
        if problem.status in (403, 404):
            raise CourseHidden(course_id) from None
        raise


def dispensed_with(timeline: Timeline, code: str) -> Dispensed | None:
    """The dispense already recorded under an authorization code, if any."""
    for event in events_of(effective_events(timeline), Dispensed):
        if event.authorization_code == code:
            return event
    return None
