"""Correcting a record from the course page: one field, a new value and the reason.

The amendment is an event of its own (``amend``); the original stays in the history, struck
through, and the correction says who changed what, from what, when and why.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from isotrack.domain.errors import IsotrackInputError
from isotrack.domain.events import EventAmended, EventBase
from isotrack.service import courses
from isotrack.web.clinic import PRESCRIBING_ROLES, record_event
from isotrack.web.course_sections import back_to_course
from isotrack.web.history import FIELD_WORDS
from isotrack.web.session import check_csrf, require_user, service
from isotrack.web.templating import render

router = APIRouter()

# Fields whose value is a single word or number a person can retype; lists and nested
# records (methods, regimens, questionnaire items) are corrected by voiding and recording anew.
_FIXED = {"id", "type", "recorded_by", "time"}


def amend_fields(events: Sequence[EventBase]) -> dict[str, list[tuple[str, str, str]]]:
    """For each event, the fields a person may change: ``(name, words, current value)``."""
    found: dict[str, list[tuple[str, str, str]]] = {}
    for event in events:
        fields = []
        for name, value in event.model_dump(mode="json").items():
            if name in _FIXED or isinstance(value, (list, dict)):
                continue
            words = FIELD_WORDS.get(name, name.replace("_", " "))
            fields.append((name, words, "—" if value is None else str(value)))
        found[event.id] = fields
    return found


def _typed(current: Any, text: str) -> Any:
    """The new value in the type of the old one, so the amended record validates as typed."""
    if isinstance(current, bool):
        return text.lower() in ("yes", "true", "1")
    if isinstance(current, int):
        return int(text) if text.lstrip("-").isdigit() else text
    if isinstance(current, float):
        try:
            return float(text)
        except ValueError:
            return text
    return text


@router.post("/courses/{course_id}/amend", include_in_schema=False)
async def amend(request: Request, course_id: str) -> Response:
    user = require_user(request, PRESCRIBING_ROLES)
    form = await request.form()
    check_csrf(request, form.get("csrf_token"))
    target, field = str(form.get("target", "")), str(form.get("field", ""))
    value, reason = str(form.get("value", "")).strip(), str(form.get("reason", "")).strip()
    course = courses.visible_course(service(request), user.user, course_id)
    original = next((e for e in course.timeline().events if e.id == target), None)
    problem = None
    if original is None or field in _FIXED or field not in original.model_dump():
        problem = "That record or field cannot be changed here."
    elif not value or not reason:
        problem = "Give the new value and the reason for the change."
    if problem is None and original is not None:
        try:
            amendment = EventAmended(
                id=f"web-{secrets.token_hex(6)}",
                date=service(request).today(),
                target_id=target,
                changes={field: _typed(getattr(original, field), value)},
                reason=reason,
                recorded_by=user.username,
            )
            record_event(service(request), user, course_id, amendment)
        except (IsotrackInputError, ValueError):
            problem = (
                f"“{value}” is not a value this record can take for "
                f"{FIELD_WORDS.get(field, field.replace('_', ' '))}; nothing was changed."
            )
    if problem is not None:
        return render(
            request,
            "error.html",
            {"heading": "Not changed", "message": problem},
            status_code=422,
        )
    return back_to_course(request, course_id, "amend", "history-heading")
