"""Dispense decisions: decided by the programme engine, committed to the authorization log
before the answer leaves; and the dispense recorded against its authorization.

The decision is the hottest use case. From the event loop (:func:`decide_dispense`) the
course is read on the loop thread's own connection (``service.reads``) and the record is
committed with the other decisions of the same loop turn (``service.authorizations``): no
thread hand-off, no pool checkout. :func:`decide_dispense_today` is the same decision for a
caller on a worker thread (the pharmacist's page).

A recorded decision is always for the service's own today: a decision "as of" another day
was a way to authorize an already dispensed prescription again (backdated before its first
fill), so no door can ask for one (issue 16).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from isotrack.domain.errors import RecordNotFound, rejected_field
from isotrack.domain.events import Dispensed, PrescriptionWritten
from isotrack.domain.timeline import effective_events, events_of, parse_event
from isotrack.engines.programme import decide_dispense as engine_decision
from isotrack.service.access import Action, not_found, require, require_patient
from isotrack.service.context import Service
from isotrack.service.courses import visible_course
from isotrack.service.recording import AppendOutcome, idempotency_key_reused, record_event
from isotrack.store.authorizations import AuthorizationRecord, DuplicateRequest, make_record
from isotrack.store.courses import NotFound, StoredCourse
from isotrack.store.users import User

__all__ = [
    "AuthorizationRecord",
    "authorization",
    "decide_dispense",
    "decide_dispense_today",
    "decisions_of_course",
    "record_dispense",
]


def _replay(
    service: Service, user_id: str, key: str, fingerprint: str | None
) -> AuthorizationRecord | None:
    existing = service.authorizations.by_key(user_id, key)
    if existing is not None and existing.fingerprint != fingerprint:
        raise idempotency_key_reused(key)
    return existing


def _decide(
    service: Service,
    user: User,
    course: StoredCourse,
    prescription_id: str | None,
    day: dt.date,
    idempotency_key: str | None,
    fingerprint: str | None,
) -> AuthorizationRecord:
    header = course.header
    require_patient(user, Action.DECIDE_DISPENSE, header.patient_id, header.prescriber_user_id)
    if prescription_id is not None:
        _require_prescription(course, prescription_id)
    decision = engine_decision(service.knowledge(), course.timeline(), day, prescription_id)
    decided: dict[str, Any] = decision.model_dump(mode="json", by_alias=True)
    return make_record(
        course_id=header.id,
        prescription_id=decision.prescription_id or prescription_id,
        decided_on=day,
        authorized=decision.authorized,
        dispense_by=decision.dispense_by,
        max_days_supply=decision.max_days_supply,
        decision=decided,
        requested_by=user.id,
        idempotency_key=idempotency_key,
        fingerprint=fingerprint,
    )


async def decide_dispense(
    service: Service,
    user: User,
    course_id: str,
    prescription_id: str | None,
    *,
    idempotency_key: str | None = None,
    fingerprint: str | None = None,
) -> tuple[AuthorizationRecord, bool]:
    """Decide for today and record the decision; returns the record and whether it is the
    stored answer of a repeated ``idempotency_key``. Runs on the event loop.

    The record is committed before this returns: the answer never gets ahead of the audit
    trail.
    """
    require(user, Action.DECIDE_DISPENSE)
    if idempotency_key is not None:
        existing = _replay(service, user.id, idempotency_key, fingerprint)
        if existing is not None:
            return existing, True
    # On the event loop's own thread: one indexed read and pure computation, cheaper than a
    # hand-off to a worker thread (which, under the GIL, would not run it any sooner).
    try:
        course = service.reads.course(course_id)
    except NotFound:
        raise not_found(course_id) from None
    record = _decide(
        service, user, course, prescription_id, service.today(), idempotency_key, fingerprint
    )
    try:
        return await service.authorizations.commit(record), False
    except DuplicateRequest:
        loop = asyncio.get_running_loop()
        existing = await loop.run_in_executor(
            None, _replay, service, user.id, idempotency_key or "", fingerprint
        )
        if existing is None:  # pragma: no cover - the duplicate is committed by definition
            raise
        return existing, True


def _require_prescription(course: StoredCourse, prescription_id: str) -> None:
    """A decision names a prescription written in this course, or nothing is decided."""
    written = [p.id for p in events_of(effective_events(course.timeline()), PrescriptionWritten)]
    if prescription_id not in written:
        raise rejected_field(
            "prescription_id",
            prescription_id,
            "a prescription of this course: " + (", ".join(written) or "(none written yet)"),
            "no such prescription in this course",
        )


def decide_dispense_today(
    service: Service, user: User, course_id: str, prescription_id: str | None
) -> AuthorizationRecord:
    """The same decision and durable record as :func:`decide_dispense`, for the service's
    today, from a worker thread; blocks until the record is committed."""
    require(user, Action.DECIDE_DISPENSE)
    try:
        course = service.reads.course_pooled(course_id)
    except NotFound:
        raise not_found(course_id) from None
    record = _decide(service, user, course, prescription_id, service.today(), None, None)
    return service.authorizations.commit_waiting(record)


def _decisions_course(service: Service, user: User, course_id: str) -> None:
    visible_course(service, user, course_id, Action.READ_DISPENSE_DECISIONS)


def decisions_of_course(service: Service, user: User, course_id: str) -> list[AuthorizationRecord]:
    """The recorded decisions of a course, oldest first."""
    _decisions_course(service, user, course_id)
    return service.authorizations.of_course(course_id)


def authorization(service: Service, user: User, code: str) -> AuthorizationRecord:
    """One recorded decision by its code, for a caller who may see its course."""
    require(user, Action.READ_DISPENSE_DECISIONS)
    record = service.authorizations.by_code(code)
    if record is None:
        raise not_found(code)
    try:
        _decisions_course(service, user, record.course_id)
    except RecordNotFound:  # the same answer as a code that does not exist
        raise not_found(code) from None
    return record


def record_dispense(
    service: Service,
    user: User,
    code: str,
    *,
    dispensed_on: str,
    days_supply: str,
    capsules: str | None = None,
    rma_number: str | None = None,
    do_not_dispense_after: str | None = None,
) -> AppendOutcome:
    """The pharmacist records the dispense an authorization allowed, with every check of
    :func:`isotrack.service.event_rules.check_dispense_authorization` (the API's path too).

    Values come as typed by the pharmacist; bad ones raise :class:`IsotrackInputError`
    naming the field.
    """
    record = authorization(service, user, code)
    if not record.authorized:
        raise rejected_field(
            "authorization_code",
            code,
            "the code of an AUTHORIZED decision",
            "This decision does not authorize a dispense; run a new check.",
        )
    data: dict[str, object] = {
        "id": f"dispense-{record.code.lower()}",
        "type": "dispense",
        "date": dispensed_on or record.decided_on.isoformat(),
        "recorded_by": user.username,
        "prescription_id": record.prescription_id,
        "days_supply": days_supply,
        "authorization_code": record.code,
        "pharmacy_id": user.username,
    }
    if capsules:
        data["capsules"] = capsules
    if rma_number:
        data["rma_number"] = rma_number
    if do_not_dispense_after:
        data["do_not_dispense_after"] = do_not_dispense_after
    event = parse_event(data)
    assert isinstance(event, Dispensed)
    return record_event(service, user, record.course_id, event)
