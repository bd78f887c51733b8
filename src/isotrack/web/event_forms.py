"""The forms that record course events, and turning what was typed into an event.

Each form is declared once (fields, labels, who may use it); the templates draw it and
:func:`event_from_form` reads it back. Errors are keyed by form field so the page shows each
message next to its field and keeps every value the user typed.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from isotrack.domain.errors import FieldProblem, IsotrackInputError
from isotrack.domain.events import EventBase
from isotrack.domain.timeline import parse_event
from isotrack.web.event_form_catalogue import (
    PHQ9_ANSWERS,
    PHQ9_ITEM_TOPICS,
    build_forms,
    home_pregnancy_test_form,
)
from isotrack.web.form_fields import EventForm, FieldKind, FormErrors, FormField, FormValues

__all__ = [
    "PHQ9_ANSWERS",
    "PHQ9_ITEM_TOPICS",
    "EventForm",
    "FieldKind",
    "FormErrors",
    "FormField",
    "FormValues",
    "build_forms",
    "event_from_form",
    "home_pregnancy_test_form",
    "problems_to_form_errors",
    "score_field_name",
]


def _one(values: FormValues, name: str) -> str:
    raw = values.get(name, "")
    if isinstance(raw, list):
        raw = raw[0] if raw else ""
    return raw.strip()


def _many(values: FormValues, name: str) -> list[str]:
    raw = values.get(name, [])
    items = [raw] if isinstance(raw, str) else raw
    return [item for item in (i.strip() for i in items) if item]


def score_field_name(index: int) -> str:
    """Form name of the PHQ-9 item ``index`` (0-based) — one select per item."""
    return f"item_{index + 1}"


def event_from_form(
    form: EventForm, values: FormValues, *, recorded_by: str, event_id: str | None = None
) -> EventBase:
    """Build and validate the event a submitted form describes.

    Raises :class:`FormErrors` naming each field at fault, whether the value could not be read
    (a word where a number belongs) or the event contract refused it.
    """
    errors: dict[str, str] = {}
    data: dict[str, Any] = {
        "id": event_id or f"web-{uuid.uuid4().hex[:16]}",
        "type": form.type,
        "recorded_by": recorded_by,
        **form.fixed,
    }
    for spec in form.fields:
        text = _one(values, spec.name)
        if spec.kind == "checkboxes":
            data[spec.name] = _many(values, spec.name)
            continue
        if spec.kind == "scores":
            scores: list[int] = []
            for index in range(len(PHQ9_ITEM_TOPICS)):
                answer = _one(values, score_field_name(index))
                if answer not in {code for code, _ in spec.choices}:
                    errors[score_field_name(index)] = "choose one answer for this question"
                else:
                    scores.append(int(answer))
            data[spec.name] = scores
            continue
        if spec.kind == "yes_no":
            if text in ("yes", "no"):
                data[spec.name] = text == "yes"
            elif spec.required:
                errors[spec.name] = "choose yes or no"
            continue
        if not text:
            if spec.required:
                errors[spec.name] = "this field is required"
            continue
        if spec.kind in ("number", "integer"):
            try:
                data[spec.name] = int(text) if spec.kind == "integer" else float(text)
            except ValueError:
                wanted = "a whole number" if spec.kind == "integer" else "a number"
                errors[spec.name] = f"{text!r} is not {wanted}"
            continue
        if spec.kind == "date":
            try:
                data[spec.name] = dt.date.fromisoformat(text).isoformat()
            except ValueError:
                errors[spec.name] = f"{text!r} is not a date; use YYYY-MM-DD"
            continue
        if spec.name == "topics":
            data[spec.name] = [t.strip() for t in text.split(",") if t.strip()]
            continue
        data[spec.name] = int(text) if spec.name == "severity" and text.isdigit() else text
    if errors:
        raise FormErrors(errors)
    try:
        return parse_event(data)
    except IsotrackInputError as exc:
        raise problems_to_form_errors(form, exc.problems) from None


def problems_to_form_errors(form: EventForm, problems: Sequence[FieldProblem]) -> FormErrors:
    """Place each problem next to the form field it concerns; the rest go above the form."""
    by_field: dict[str, str] = {}
    allowed: dict[str, str] = {}
    general: list[str] = []
    for problem in problems:
        head, _, rest = problem.field.partition(".")
        name = head
        if head == "item_scores" and rest.isdigit():
            name = score_field_name(int(rest))
        message = f"{problem.value!r} is not allowed; allowed: {problem.allowed}"
        if problem.value is None:
            message = f"needed: {problem.allowed}"
        if form.field_named(head) is not None or name != head:
            by_field.setdefault(name, message)
            allowed.setdefault(name, problem.allowed)
        else:
            general.append(f"{problem.field}: {message}")
    return FormErrors(by_field, general, allowed)
