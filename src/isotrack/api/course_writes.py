"""Writing to a course through the service, with every rule applied in one path.

The API endpoints and the web pages both call these functions, so a rule (who may record
what, the home-test policy, the lab check, the pharmacist's authorization code, optimistic
concurrency, idempotency) is applied the same way whichever door the write came through.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import IntegrityError

from isotrack.api.access import Action, require, require_event_type, require_patient
from isotrack.api.auth import Principal
from isotrack.api.engine_calls import check_lab_result
from isotrack.api.problems import Problem, field_error, invalid_input
from isotrack.api.service import Service
from isotrack.domain.errors import FieldProblem, IsotrackInputError
from isotrack.domain.events import (
    EVENT_TYPES,
    Dispensed,
    EventBase,
    LabResultRecorded,
    PregnancyTestTaken,
)
from isotrack.domain.timeline import Patient, Timeline, effective_events, events_of, parse_event
from isotrack.engines.programme import home_test_accepted
from isotrack.knowledge import Knowledge
from isotrack.store.authorizations import authorization_by_code
from isotrack.store.courses import (
    NotFound,
    VersionConflict,
    append_event,
    course_etag,
    create_course,
    create_patient,
    read_header,
)
from isotrack.store.idempotency import remember_response, stored_response
from isotrack.store.users import Role, User

APPEND_RETRIES_WITHOUT_IF_MATCH = 5


class NewPatient(BaseModel):
    """A patient enrolled by the clinic, with the first course under a policy."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(
        default=None, min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.:-]+$"
    )
    display_name: str = Field(min_length=1, max_length=200)
    birth_date: dt.date
    sex_at_birth: Literal["female", "male", "intersex", "unknown"]
    can_get_pregnant: bool
    policy: str = Field(min_length=1)


class NewCourse(BaseModel):
    model_config = ConfigDict(extra="forbid")

    policy: str = Field(min_length=1)
    birth_date: dt.date
    sex_at_birth: Literal["female", "male", "intersex", "unknown"]
    can_get_pregnant: bool


def _check_policy(knowledge: Knowledge, policy: str) -> None:
    if policy not in knowledge.policies:
        raise invalid_input(
            IsotrackInputError(
                [
                    FieldProblem(
                        "body", "policy", policy, "one of: " + ", ".join(sorted(knowledge.policies))
                    )
                ],
                "unknown policy",
            )
        )


def enrol_patient(service: Service, principal: Principal, new: NewPatient) -> tuple[str, str]:
    """Register a patient in the caller's care and open their first course."""
    user = principal.user
    require(user, Action.ENROL_PATIENT)
    _check_policy(service.knowledge(), new.policy)
    with service.database.writing() as connection:
        patient_id = create_patient(
            connection,
            display_name=new.display_name,
            prescriber_user_id=user.care_prescriber_id,
            patient_id=new.id,
        )
        header = create_course(
            connection,
            patient=Patient(
                id=patient_id,
                birth_date=new.birth_date,
                sex_at_birth=new.sex_at_birth,
                can_get_pregnant=new.can_get_pregnant,
            ),
            policy=new.policy,
            created_by=user.username,
        )
    return patient_id, header.id


def open_course(service: Service, principal: Principal, patient_id: str, new: NewCourse) -> str:
    """A further course for a patient already in the caller's care."""
    from isotrack.store.patients import patient_record

    user = principal.user
    require(user, Action.OPEN_COURSE)
    _check_policy(service.knowledge(), new.policy)
    with service.database.writing() as connection:
        record = patient_record(connection, patient_id)
        if record is None:
            raise Problem(
                404, "Not found", f"no record {patient_id!r} that you may see", kind="not-found"
            )
        require_patient(user, Action.OPEN_COURSE, record.id, record.prescriber_user_id)
        header = create_course(
            connection,
            patient=Patient(
                id=patient_id,
                birth_date=new.birth_date,
                sex_at_birth=new.sex_at_birth,
                can_get_pregnant=new.can_get_pregnant,
            ),
            policy=new.policy,
            created_by=user.username,
        )
    return header.id


@dataclass(frozen=True)
class AppendOutcome:
    status_code: int
    body: dict[str, Any]
    etag: str | None
    replayed: bool = False


def _rejected(field: str, value: Any, allowed: str, summary: str) -> Problem:
    return Problem(
        422,
        "Invalid input",
        summary,
        kind="invalid-input",
        errors=[field_error("body", field, value, allowed)],
    )


def append_event_as(
    service: Service,
    principal: Principal,
    course_id: str,
    event_json: Any,
    expected_version: int | None,
    *,
    idempotency_key: str | None = None,
    fingerprint: str | None = None,
) -> AppendOutcome:
    """Record one event in a course as the signed-in user, or raise a :class:`Problem`.

    Nothing is stored unless every check passes. ``expected_version`` is the version the
    caller saw (from the ETag): a different current version answers 412, a writer that got
    in first during this very append answers 409. A repeated ``idempotency_key`` with the same
    request returns the first answer; with a different request, 422.
    """
    user = principal.user
    require(user, Action.APPEND_EVENT)
    if idempotency_key is not None:
        replay = _replay(service, user, idempotency_key, fingerprint or "")
        if replay is not None:
            return replay
    with service.database.reading() as connection:
        try:
            header = read_header(connection, course_id)
        except NotFound:
            raise Problem(
                404, "Not found", f"no course {course_id!r} that you may see", kind="not-found"
            ) from None
    require_patient(user, Action.APPEND_EVENT, header.patient_id, header.prescriber_user_id)
    if not isinstance(event_json, dict):
        raise _rejected(
            "(body)", type(event_json).__name__, "a JSON object: one event", "not an event"
        )
    if event_json.get("type") in EVENT_TYPES:  # an unknown type is bad input (422), below
        require_event_type(user, str(event_json["type"]))
    try:
        event = parse_event(event_json)
    except IsotrackInputError as exc:
        raise invalid_input(exc) from None
    if event.recorded_by is not None and event.recorded_by != user.username:
        raise _rejected(
            "recorded_by",
            event.recorded_by,
            f"omitted, or your own username {user.username!r}",
            "an event is recorded by the signed-in user",
        )
    event = event.model_copy(update={"recorded_by": user.username})
    knowledge = service.knowledge()
    if isinstance(event, LabResultRecorded):
        try:
            check_lab_result(knowledge, event)
        except IsotrackInputError as exc:
            raise invalid_input(exc) from None
    role_check = _role_check(service, user, course_id, knowledge)
    attempts = 1 if expected_version is not None else APPEND_RETRIES_WITHOUT_IF_MATCH
    for attempt in range(attempts):
        try:
            return _append(
                service,
                user,
                course_id,
                event,
                expected_version,
                role_check,
                idempotency_key,
                fingerprint,
            )
        except VersionConflict as conflict:
            if expected_version is None and attempt + 1 < attempts:
                continue
            raise _conflict(conflict) from None
        except IntegrityError:
            # The idempotency key was stored by a parallel request: answer as that one did.
            if idempotency_key is not None:
                replay = _replay(service, user, idempotency_key, fingerprint or "")
                if replay is not None:
                    return replay
            raise
    raise AssertionError("unreachable")  # pragma: no cover


def _append(
    service: Service,
    user: User,
    course_id: str,
    event: EventBase,
    expected_version: int | None,
    role_check: Callable[[Timeline, EventBase], None],
    idempotency_key: str | None,
    fingerprint: str | None,
) -> AppendOutcome:
    with service.database.writing() as connection:
        try:
            appended = append_event(
                connection,
                course_id,
                event,
                recorded_by=user.username,
                expected_version=expected_version,
                check=role_check,
            )
        except IsotrackInputError as exc:
            raise invalid_input(exc) from None
        body = {
            "course_id": course_id,
            "seq": appended.seq,
            "version": appended.version,
            "event_id": appended.event_id,
            "hash": appended.hash,
            "recorded_by": user.username,
            "recorded_at": appended.recorded_at,
            "event": event.model_dump(mode="json", exclude_none=True),
        }
        if idempotency_key is not None:
            remember_response(
                connection,
                user_id=user.id,
                key=idempotency_key,
                fingerprint=fingerprint or "",
                status_code=201,
                body=json.dumps(body),
                etag=appended.etag,
            )
    return AppendOutcome(201, body, appended.etag)


def _replay(service: Service, user: User, key: str, fingerprint: str) -> AppendOutcome | None:
    with service.database.reading() as connection:
        stored = stored_response(connection, user.id, key)
    if stored is None:
        return None
    if stored.fingerprint != fingerprint:
        raise Problem(
            422,
            "Idempotency-Key reused",
            "this Idempotency-Key was already used for a different request",
            kind="idempotency-key-reused",
            errors=[field_error("header", "Idempotency-Key", key, "a new key for a new request")],
        )
    return AppendOutcome(stored.status_code, json.loads(stored.body), stored.etag, replayed=True)


def _conflict(conflict: VersionConflict) -> Problem:
    current_etag = course_etag(conflict.course_id, conflict.current)
    if conflict.lost_race:
        return Problem(
            409,
            "Conflict",
            "another event was recorded in this course at the same moment; "
            "read the course again and retry",
            kind="conflict",
            extra={"current_version": conflict.current},
        )
    return Problem(
        412,
        "Precondition failed",
        f"the course is at version {conflict.current}, not {conflict.expected}; "
        "read it again before adding an event",
        kind="version-mismatch",
        headers={"ETag": current_etag},
        extra={"current_version": conflict.current},
        errors=[
            field_error(
                "header",
                "If-Match",
                course_etag(conflict.course_id, conflict.expected or 0),
                f"the current ETag {current_etag}",
            )
        ],
    )


def _role_check(
    service: Service, user: User, course_id: str, knowledge: Knowledge
) -> Callable[[Timeline, EventBase], None]:
    """The checks that depend on the course as it stands at the moment of appending."""

    def check(timeline: Timeline, event: EventBase) -> None:
        if user.role is Role.PATIENT and isinstance(event, PregnancyTestTaken):
            _patient_home_test(knowledge, timeline, event)
        if user.role is Role.PHARMACIST and isinstance(event, Dispensed):
            _pharmacist_dispense(service, course_id, timeline, event)

    return check


def _patient_home_test(knowledge: Knowledge, timeline: Timeline, event: PregnancyTestTaken) -> None:
    """A patient may report a pregnancy test only as a home test, and only where a rule of the
    course's policy accepts a home test at that phase of treatment."""
    if event.setting != "home":
        raise _rejected(
            "setting",
            event.setting,
            "home (clinics and laboratories record their own tests)",
            "a patient reports home tests only",
        )
    if not home_test_accepted(knowledge, timeline, event.date):
        raise _rejected(
            "setting",
            event.setting,
            f"no setting a patient can report: policy {timeline.policy!r} does not accept a home "
            f"test on {event.date.isoformat()} (before the first dose, or not in this edition)",
            "home test not accepted under this policy",
        )


def _pharmacist_dispense(
    service: Service, course_id: str, timeline: Timeline, event: Dispensed
) -> None:
    """A pharmacist's dispense must rest on an authorization recorded for this prescription,
    used once, on or before its dispense-by date and within its days' supply."""
    code = event.authorization_code
    if not code:
        raise _rejected(
            "authorization_code",
            code,
            "the code of an authorized dispense decision",
            "a dispense needs its authorization code",
        )
    with service.database.reading() as connection:
        record = authorization_by_code(connection, code)
    if record is None or record.course_id != course_id:
        raise _rejected(
            "authorization_code",
            code,
            "a code issued for this course",
            "unknown authorization code",
        )
    if not record.authorized:
        raise _rejected(
            "authorization_code",
            code,
            "the code of an AUTHORIZED decision",
            "this decision refused the dispense",
        )
    if record.prescription_id and record.prescription_id != event.prescription_id:
        raise _rejected(
            "prescription_id",
            event.prescription_id,
            record.prescription_id,
            "the authorization is for another prescription",
        )
    if event.date < record.decided_on or (record.dispense_by and event.date > record.dispense_by):
        until = record.dispense_by.isoformat() if record.dispense_by else "(no limit)"
        raise _rejected(
            "date",
            event.date.isoformat(),
            f"from {record.decided_on.isoformat()} to {until}",
            "dispense date outside the authorization",
        )
    if record.max_days_supply is not None and event.days_supply > record.max_days_supply:
        raise _rejected(
            "days_supply",
            event.days_supply,
            f"at most {record.max_days_supply}",
            "more days than the authorization allows",
        )
    used = [
        d.id
        for d in events_of(effective_events(timeline), Dispensed)
        if d.authorization_code and d.authorization_code.upper() == code.upper()
    ]
    if used:
        raise _rejected(
            "authorization_code",
            code,
            "a code not yet used for a dispense",
            f"already used by dispense {used[0]!r}",
        )
