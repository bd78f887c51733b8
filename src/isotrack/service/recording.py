"""Recording an event in a course, with every rule applied in one path.

The API, the pages and the pharmacy all come through :func:`record_event_json`, so a rule
(who may record what, the home-test policy, the lab check, the pharmacist's authorization
code, optimistic concurrency, idempotency) is applied the same way whichever door the write
came through. Corrections (void, amend) are events like any other.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError

from isotrack.domain.errors import (
    ConcurrentChange,
    FieldProblem,
    IdempotencyKeyReused,
    IsotrackInputError,
    VersionMismatch,
    rejected_field,
)
from isotrack.domain.events import EVENT_TYPES, EventBase, LabResultRecorded
from isotrack.domain.plausibility import check_plausibility
from isotrack.domain.timeline import Timeline, parse_event
from isotrack.engines.monitoring import check_lab_result
from isotrack.service.access import Action, require, require_event_type
from isotrack.service.biology import stamp_assessor
from isotrack.service.context import Service
from isotrack.service.courses import visible_course_header
from isotrack.service.event_rules import role_check
from isotrack.service.worklist import update_row
from isotrack.store.courses import VersionConflict, append_event, course_etag
from isotrack.store.idempotency import remember_response, request_fingerprint, stored_response
from isotrack.store.users import User

APPEND_RETRIES_WITHOUT_IF_MATCH = 5


@dataclass(frozen=True)
class AppendOutcome:
    status_code: int
    body: dict[str, Any]
    etag: str | None
    replayed: bool = False


def record_event_json(
    service: Service,
    user: User,
    course_id: str,
    event_json: Any,
    expected_version: int | None,
    *,
    idempotency_key: str | None = None,
    fingerprint: str | None = None,
) -> AppendOutcome:
    """Record one event (as JSON) in a course as ``user``; nothing is stored unless every
    check passes.

    ``expected_version`` is the version the caller saw (from the ETag): a different current
    version raises :class:`VersionMismatch`, a writer that got in first during this very
    append :class:`ConcurrentChange`. A repeated ``idempotency_key`` with the same request
    returns the first answer; with a different request, :class:`IdempotencyKeyReused`.
    """
    require(user, Action.APPEND_EVENT)
    if idempotency_key is not None:
        replay = _replay(service, user, idempotency_key, fingerprint or "")
        if replay is not None:
            return replay
    header = visible_course_header(service, user, course_id, Action.APPEND_EVENT)
    if not isinstance(event_json, dict):
        raise rejected_field(
            "(body)", type(event_json).__name__, "a JSON object: one event", "not an event"
        )
    if event_json.get("type") in EVENT_TYPES:  # an unknown type is bad input, below
        require_event_type(user, str(event_json["type"]))
    event = parse_event(stamp_assessor(user, event_json))
    if event.recorded_by is not None and event.recorded_by != user.username:
        raise rejected_field(
            "recorded_by",
            event.recorded_by,
            f"omitted, or your own username {user.username!r}",
            "an event is recorded by the signed-in user",
        )
    event = event.model_copy(update={"recorded_by": user.username})
    implausible = check_plausibility(
        service.knowledge(), event, service.today(), birth_date=header.birth_date
    )
    if implausible:
        raise IsotrackInputError(implausible, "implausible value")
    if isinstance(event, LabResultRecorded):
        check_lab_result(service.knowledge(), event)
    check = role_check(service, user, course_id)
    attempts = 1 if expected_version is not None else APPEND_RETRIES_WITHOUT_IF_MATCH
    for attempt in range(attempts):
        try:
            return _append(
                service, user, course_id, event, expected_version, check,
                idempotency_key, fingerprint,
            )  # fmt: skip
        except VersionConflict as conflict:
            if expected_version is None and attempt + 1 < attempts:
                continue
            raise conflict_error(conflict) from None
        except IntegrityError:
            # The idempotency key was stored by a parallel request: answer as that one did.
            if idempotency_key is not None:
                replay = _replay(service, user, idempotency_key, fingerprint or "")
                if replay is not None:
                    return replay
            raise
    raise AssertionError("unreachable")  # pragma: no cover


def record_event(service: Service, user: User, course_id: str, event: EventBase) -> AppendOutcome:
    """Record a parsed event at the head of the course (the pages' forms build these)."""
    body = event.model_dump(mode="json", exclude_none=True)
    return record_event_json(service, user, course_id, body, None)


def _append(
    service: Service,
    user: User,
    course_id: str,
    event: EventBase,
    expected_version: int | None,
    check: Callable[[Timeline, EventBase], None],
    idempotency_key: str | None,
    fingerprint: str | None,
) -> AppendOutcome:
    after: list[Timeline] = []

    def check_and_keep(timeline: Timeline, new: EventBase) -> None:
        check(timeline, new)
        after.append(timeline.with_event(new))

    with service.database.writing() as connection:
        appended = append_event(
            connection, course_id, event, recorded_by=user.username,
            expected_version=expected_version, check=check_and_keep,
        )  # fmt: skip
        # The today list's row moves with the course, in the same transaction as the event.
        update_row(service, connection, course_id, after[-1])
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
                connection, user_id=user.id, key=idempotency_key, fingerprint=fingerprint or "",
                status_code=201, body=json.dumps(body), etag=appended.etag,
            )  # fmt: skip
    return AppendOutcome(201, body, appended.etag)


def idempotency_key_reused(key: str) -> IdempotencyKeyReused:
    return IdempotencyKeyReused(
        "this Idempotency-Key was already used for a different request",
        [FieldProblem("header", "Idempotency-Key", key, "a new key for a new request")],
    )


def _replay(service: Service, user: User, key: str, fingerprint: str) -> AppendOutcome | None:
    with service.database.reading() as connection:
        stored = stored_response(connection, user.id, key)
    if stored is None:
        return None
    if stored.fingerprint != fingerprint:
        raise idempotency_key_reused(key)
    return AppendOutcome(stored.status_code, json.loads(stored.body), stored.etag, replayed=True)


def conflict_error(conflict: VersionConflict) -> VersionMismatch | ConcurrentChange:
    if conflict.lost_race:
        return ConcurrentChange(
            "another event was recorded in this course at the same moment; "
            "read the course again and retry",
            current=conflict.current,
        )
    current_etag = course_etag(conflict.course_id, conflict.current)
    return VersionMismatch(
        f"the course is at version {conflict.current}, not {conflict.expected}; "
        "read it again before adding an event",
        course_id=conflict.course_id,
        current=conflict.current,
        expected=conflict.expected,
        current_etag=current_etag,
        problems=[
            FieldProblem(
                "header",
                "If-Match",
                course_etag(conflict.course_id, conflict.expected or 0),
                f"the current ETag {current_etag}",
            )
        ],
    )


__all__ = [
    "APPEND_RETRIES_WITHOUT_IF_MATCH",
    "AppendOutcome",
    "record_event",
    "record_event_json",
    "request_fingerprint",
]
