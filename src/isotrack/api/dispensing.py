"""Dispense decisions requested by a pharmacist: decided by the programme engine, recorded
durably (group commit) before the answer is returned."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from isotrack.api.access import Action, require, require_patient
from isotrack.api.auth import Principal
from isotrack.api.engine_calls import decide_dispense
from isotrack.api.problems import Problem, field_error
from isotrack.api.service import Service
from isotrack.store.authorizations import (
    AuthorizationRecord,
    DuplicateRequest,
    authorization_by_key,
    make_record,
)
from isotrack.store.courses import NotFound, read_course
from isotrack.store.users import User


class DispenseRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    prescription_id: str | None = Field(
        default=None, description="the prescription to dispense; default: the latest one"
    )


def authorization_json(record: AuthorizationRecord) -> dict[str, Any]:
    """The answer a pharmacist sees: the code, the outcome, dispense-by and the reasons."""
    return {
        "authorization_code": record.code,
        "course_id": record.course_id,
        "prescription_id": record.prescription_id,
        "decided_on": record.decided_on.isoformat(),
        "authorized": record.authorized,
        "dispense_by": record.dispense_by.isoformat() if record.dispense_by else None,
        "max_days_supply": record.max_days_supply,
        "recorded_at": record.recorded_at,
        "decision": record.decision,
    }


def _replay(
    service: Service, user_id: str, key: str, fingerprint: str | None
) -> AuthorizationRecord | None:
    with service.database.reading() as connection:
        existing = authorization_by_key(connection, user_id, key)
    if existing is not None and existing.fingerprint != fingerprint:
        raise Problem(
            422,
            "Idempotency-Key reused",
            "this Idempotency-Key was already used for a different request",
            kind="idempotency-key-reused",
            errors=[field_error("header", "Idempotency-Key", key, "a new key for a new request")],
        )
    return existing


def _decide(
    service: Service,
    user: User,
    course_id: str,
    prescription_id: str | None,
    idempotency_key: str | None,
    fingerprint: str | None,
    on: dt.date | None = None,
    *,
    on_event_loop: bool,
) -> tuple[AuthorizationRecord, bool]:
    """Read the course and decide for ``on`` (default: the service's today) without writing;
    (record, True) is the stored answer of a repeated idempotency key.

    On the event loop the course is read on the loop thread's own connection
    (``Database.direct()``); a worker thread borrows one from the pool instead, so that the
    number of open connections stays bounded by the pool.
    """
    if idempotency_key is not None:
        existing = _replay(service, user.id, idempotency_key, fingerprint)
        if existing is not None:
            return existing, True
    scope = service.database.direct if on_event_loop else service.database.reading
    with scope() as reader:
        try:
            course = read_course(reader, course_id)
        except NotFound:
            raise Problem(
                404, "Not found", f"no course {course_id!r} that you may see", kind="not-found"
            ) from None
    header = course.header
    require_patient(user, Action.DECIDE_DISPENSE, header.patient_id, header.prescriber_user_id)
    day = on or service.today()
    decision = decide_dispense(service.knowledge(), course.timeline(), day, prescription_id)
    decided: dict[str, Any] = decision.model_dump(mode="json", by_alias=True)
    dispense_by = getattr(decision, "dispense_by", None)
    max_days = getattr(decision, "max_days_supply", None)
    record = make_record(
        course_id=course_id,
        prescription_id=decided.get("prescription_id") or prescription_id,
        decided_on=day,
        authorized=bool(decided.get("authorized")),
        dispense_by=dispense_by,
        max_days_supply=int(max_days) if max_days is not None else None,
        decision=decided,
        requested_by=user.id,
        idempotency_key=idempotency_key,
        fingerprint=fingerprint,
    )
    return record, False


async def decide_and_record(
    service: Service,
    principal: Principal,
    course_id: str,
    prescription_id: str | None,
    *,
    idempotency_key: str | None = None,
    fingerprint: str | None = None,
) -> tuple[AuthorizationRecord, bool]:
    """Decide and record a dispense; returns the record and whether it is a replay.

    The record is committed before this returns: the caller's answer never gets ahead of the
    audit trail.
    """
    require(principal.user, Action.DECIDE_DISPENSE)
    # On the event loop's own thread: one indexed read and pure computation, cheaper than a
    # hand-off to a worker thread (which, under the GIL, would not run it any sooner).
    record, replayed = _decide(
        service,
        principal.user,
        course_id,
        prescription_id,
        idempotency_key,
        fingerprint,
        on_event_loop=True,
    )
    if replayed:
        return record, True
    try:
        committed = await service.outbox.commit(record)
    except DuplicateRequest:
        existing = await run_in_threadpool(
            _replay, service, principal.user.id, idempotency_key or "", fingerprint
        )
        if existing is None:  # pragma: no cover - the duplicate is committed by definition
            raise
        return existing, True
    return committed, False


def decide_and_record_on(
    service: Service, user: User, course_id: str, prescription_id: str | None, on: dt.date
) -> AuthorizationRecord:
    """The same decision and durable record for a chosen day, for callers outside the event
    loop (the pharmacist's page, which lets a pharmacist check a day other than today).

    Blocks until the group-commit writer has committed the record.
    """
    require(user, Action.DECIDE_DISPENSE)
    record, _ = _decide(
        service, user, course_id, prescription_id, None, None, on, on_event_loop=False
    )
    return service.writer.submit(record).result()
