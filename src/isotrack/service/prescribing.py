"""Signing a prescription: the order-entry check, the holds' reviews, one transaction.

The API's ``POST courses/{id}/prescriptions`` and the course page's prescription form both
come through :func:`write_prescription`. The reviews that override the open clinical holds
(each an ``alert_review`` with outcome ``continue`` and a note) and the prescription are
appended in one transaction, after :func:`isotrack.service.order_entry.require_signable` has
checked the prescription against the course as it stands inside that transaction; when it
refuses, nothing is stored.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from isotrack.domain.errors import FieldProblem, IsotrackInputError, rejected_field
from isotrack.domain.events import AlertReviewed, EventBase, PrescriptionWritten
from isotrack.domain.timeline import Timeline, parse_event
from isotrack.engines.prescribing import PrescriptionCheck
from isotrack.service.access import Action, require, require_event_type
from isotrack.service.context import Service
from isotrack.service.courses import visible_course_header
from isotrack.service.order_entry import require_known_alert, require_signable
from isotrack.service.worklist import update_row
from isotrack.store.courses import VersionConflict, append_event, read_course
from isotrack.store.users import User


@dataclass(frozen=True)
class PrescriptionRequest:
    """What a prescriber sends to sign: the prescription, the reviews overriding the open
    holds, and the confirmations of the warnings already shown."""

    prescription: dict[str, Any]
    reviews: list[dict[str, Any]] = field(default_factory=list)
    confirm_warnings: bool = False
    confirm_above_maximum: bool = False


@dataclass(frozen=True)
class SignedPrescription:
    course_id: str
    version: int
    etag: str
    prescription: PrescriptionWritten
    reviews: list[AlertReviewed]
    check: PrescriptionCheck


def write_prescription(
    service: Service,
    user: User,
    course_id: str,
    request: PrescriptionRequest,
    expected_version: int | None = None,
) -> SignedPrescription:
    """Store the reviews and the prescription together, or nothing (the refusal is raised:
    ``IsotrackInputError`` for a field, ``ClinicalHoldsUnreviewed`` for an open hold,
    ``WarningsNotConfirmed`` for warnings not yet confirmed)."""
    require(user, Action.APPEND_EVENT)
    require_event_type(user, "prescription")
    visible_course_header(service, user, course_id, Action.APPEND_EVENT)
    draft = _draft(user, request.prescription)
    reviews = [_review(user, index, body) for index, body in enumerate(request.reviews)]
    knowledge = service.knowledge()
    today = service.today()
    outcome: list[PrescriptionCheck] = []

    def check_review(timeline: Timeline, event: EventBase) -> None:
        assert isinstance(event, AlertReviewed)
        require_known_alert(knowledge, timeline, event, max(event.date, today))

    def check_prescription(timeline: Timeline, event: EventBase) -> None:
        assert isinstance(event, PrescriptionWritten)
        outcome.append(
            require_signable(
                knowledge, timeline, event, today, reviews,
                confirm_warnings=request.confirm_warnings,
                confirm_above_maximum=request.confirm_above_maximum,
            )
        )  # fmt: skip

    try:
        with service.database.writing() as connection:
            version = expected_version
            for review in reviews:
                appended = append_event(
                    connection, course_id, review, recorded_by=user.username,
                    expected_version=version, check=check_review,
                )  # fmt: skip
                version = None
            appended = append_event(
                connection, course_id, draft, recorded_by=user.username,
                expected_version=version, check=check_prescription,
            )  # fmt: skip
            update_row(
                service, connection, course_id, read_course(connection, course_id).timeline()
            )
    except VersionConflict as conflict:
        from isotrack.service.recording import conflict_error

        raise conflict_error(conflict) from None
    return SignedPrescription(
        course_id=course_id,
        version=appended.seq,
        etag=appended.etag,
        prescription=draft,
        reviews=reviews,
        check=outcome[-1],
    )


def _draft(user: User, body: Any) -> PrescriptionWritten:
    if not isinstance(body, dict):
        raise rejected_field("prescription", type(body).__name__, "a JSON object", "no draft")
    body = {"id": f"rx-{secrets.token_hex(4)}", **body, "type": "prescription"}
    event = _parsed(user, body, "prescription")
    assert isinstance(event, PrescriptionWritten)
    return event


def _review(user: User, index: int, body: Any) -> AlertReviewed:
    where = f"reviews[{index}]"
    if not isinstance(body, dict):
        raise rejected_field(where, type(body).__name__, "a JSON object", "not a review")
    body = {"id": f"review-{secrets.token_hex(4)}", **body, "type": "alert_review"}
    event = _parsed(user, body, where)
    assert isinstance(event, AlertReviewed)
    if event.outcome != "continue":
        # Signing means going on; a hold or a stop is recorded as a review on its own.
        raise IsotrackInputError(
            [FieldProblem("body", f"{where}.outcome", event.outcome,
                          "continue (record a hold or a stop as a review on its own)")],
            "a review sent with a prescription continues the course",
        )  # fmt: skip
    return event


def _parsed(user: User, body: dict[str, Any], where: str) -> EventBase:
    sent_by = body.get("recorded_by")
    if sent_by is not None and sent_by != user.username:
        raise rejected_field(
            f"{where}.recorded_by", sent_by, f"omitted, or your own username {user.username!r}",
            "an event is recorded by the signed-in user",
        )  # fmt: skip
    try:
        event = parse_event({**body, "recorded_by": user.username})
    except IsotrackInputError as error:
        raise IsotrackInputError(
            [FieldProblem(f"body.{where}", p.field, p.value, p.allowed) for p in error.problems],
            error.summary,
        ) from None
    return event


def who_signs(service: Service, user: User) -> str:
    """The name of the prescriber who signs for this user (a designee's prescriber)."""
    from isotrack.store.users import user_by_id

    prescriber_id = user.care_prescriber_id
    if prescriber_id is None:
        return "your prescriber"
    with service.database.reading() as connection:
        prescriber = user_by_id(connection, prescriber_id)
    return prescriber.display_name if prescriber is not None else "your prescriber"
