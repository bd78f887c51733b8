"""What an event form is made of: its fields, the form, and the errors it shows by field."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

FieldKind = Literal[
    "date", "number", "integer", "text", "textarea", "select", "checkboxes", "yes_no", "scores"
]

FormValues = Mapping[str, str | list[str]]


@dataclass(frozen=True)
class FormField:
    """One input of an event form. ``name`` is the event field it fills."""

    name: str
    label: str
    kind: FieldKind
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()
    hint: str = ""
    suggestions: tuple[str, ...] = ()  # offered in a datalist; any text is still accepted


@dataclass(frozen=True)
class EventForm:
    """A form for one event type; ``self_report`` forms are offered to patients too."""

    type: str
    title: str
    fields: tuple[FormField, ...]
    self_report: bool = False
    fixed: Mapping[str, Any] = field(default_factory=dict)  # values the form sets itself
    key: str = ""  # distinguishes two forms of one event type (the home pregnancy test)

    @property
    def form_key(self) -> str:
        return self.key or self.type

    def field_named(self, name: str) -> FormField | None:
        return next((f for f in self.fields if f.name == name), None)


class FormErrors(Exception):
    """Rejected form input: ``by_field`` maps a form field name to its message; ``allowed``
    keeps, by field, what the event contract would have accepted (the patient's pages word
    their own message from it, in the patient's language)."""

    def __init__(
        self,
        by_field: dict[str, str],
        general: list[str] | None = None,
        allowed: dict[str, str] | None = None,
    ) -> None:
        self.by_field = by_field
        self.general = general or []
        self.allowed = allowed or {}
        super().__init__("; ".join([*(f"{k}: {v}" for k, v in by_field.items()), *self.general]))


def humanise(code: str) -> str:
    return code.replace("_", " ")
