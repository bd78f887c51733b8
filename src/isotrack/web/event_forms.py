"""The forms that record course events, and turning what was typed into an event.

Each form is declared once (fields, labels, who may use it); the templates draw it and
:func:`event_from_form` reads it back. Errors are keyed by form field so the page shows each
message next to its field and keeps every value the user typed.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from isotrack.domain.errors import FieldProblem, IsotrackInputError
from isotrack.domain.events import ContraceptionMethodCode, EventBase
from isotrack.domain.timeline import parse_event

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
    """Rejected form input: ``by_field`` maps a form field name to its message."""

    def __init__(self, by_field: dict[str, str], general: list[str] | None = None) -> None:
        self.by_field = by_field
        self.general = general or []
        super().__init__("; ".join([*(f"{k}: {v}" for k, v in by_field.items()), *self.general]))


def _humanise(code: str) -> str:
    return code.replace("_", " ")


_DATE = FormField("date", "Date it happened", "date", required=True)
_NOTE = FormField("note", "Note (optional)", "textarea")

PHQ9_ITEM_TOPICS: tuple[str, ...] = (
    "Losing interest or enjoyment in things",
    "Feeling low, down or without hope",
    "Trouble with sleep (too little or too much)",
    "Feeling tired or short of energy",
    "Eating too little or too much",
    "Feeling bad about yourself or like a failure",
    "Difficulty concentrating",
    "Moving or speaking very slowly, or being unusually restless",
    "Thoughts that you would be better off dead or of hurting yourself",
)
"""Short topic labels for the nine PHQ-9 items (scored 0–3 over the last two weeks)."""

PHQ9_ANSWERS: tuple[tuple[str, str], ...] = (
    ("0", "0 — not at all"),
    ("1", "1 — several days"),
    ("2", "2 — more than half the days"),
    ("3", "3 — nearly every day"),
)

_CONTRACEPTION_CHOICES = tuple((m.value, _humanise(m.value)) for m in ContraceptionMethodCode)


def build_forms(
    products: Sequence[tuple[str, str]],
    lab_tests: Sequence[str] = (),
    lab_units: Sequence[str] = (),
    side_effect_terms: Sequence[str] = (),
) -> dict[str, EventForm]:
    """Every event form, with choice lists taken from the knowledge base."""
    forms = [
        EventForm(
            "weight",
            "Weight",
            (_DATE, FormField("weight_kg", "Weight (kg)", "number", required=True), _NOTE),
        ),
        EventForm(
            "prescription",
            "Prescription",
            (
                _DATE,
                FormField("product", "Product", "select", required=True, choices=tuple(products)),
                FormField("daily_dose_mg", "Daily dose (mg)", "number", required=True),
                FormField("days_supply", "Days supply", "integer", required=True),
                FormField("refills", "Refills", "integer", hint="Leave empty for none"),
                _NOTE,
            ),
        ),
        EventForm(
            "pregnancy_test",
            "Pregnancy test",
            (
                FormField(
                    "date",
                    "Specimen collected on",
                    "date",
                    required=True,
                    hint="The window counts from the day the specimen was collected",
                ),
                FormField(
                    "result",
                    "Result",
                    "select",
                    required=True,
                    choices=(
                        ("negative", "negative"),
                        ("positive", "positive"),
                        ("invalid", "invalid"),
                    ),
                ),
                FormField(
                    "kind",
                    "Specimen",
                    "select",
                    required=True,
                    choices=(("urine", "urine"), ("serum", "serum")),
                ),
                FormField(
                    "setting",
                    "Where the test was done",
                    "select",
                    required=True,
                    choices=(
                        ("medical", "medical office"),
                        ("laboratory", "laboratory"),
                        ("home", "home"),
                    ),
                ),
                FormField("sensitivity_miu_per_ml", "Test sensitivity (mIU/mL)", "number"),
                _NOTE,
            ),
        ),
        EventForm(
            "contraception",
            "Contraception",
            (
                _DATE,
                FormField(
                    "methods", "Methods in use", "checkboxes", choices=_CONTRACEPTION_CHOICES
                ),
                FormField("abstinence", "Committed to abstinence", "yes_no"),
                FormField(
                    "started_on",
                    "In use since",
                    "date",
                    hint="Leave empty if the methods start on the date above",
                ),
                _NOTE,
            ),
        ),
        EventForm(
            "counselling",
            "Counselling",
            (
                _DATE,
                FormField("topics", "Topics", "text", hint="Separate topics with commas"),
                _NOTE,
            ),
        ),
        EventForm(
            "comprehension_check",
            "Comprehension check",
            (_DATE, FormField("passed", "Passed", "yes_no", required=True), _NOTE),
        ),
        EventForm(
            "lab_result",
            "Lab result",
            (
                FormField("date", "Sample taken on", "date", required=True),
                FormField(
                    "test",
                    "Test",
                    "text",
                    required=True,
                    suggestions=tuple(lab_tests),
                    hint="Name or LOINC code, e.g. triglycerides, ALT",
                ),
                FormField("value", "Value", "number", required=True),
                FormField(
                    "unit",
                    "Unit",
                    "text",
                    required=True,
                    suggestions=tuple(lab_units),
                    hint="e.g. mg/dL, mmol/L, U/L",
                ),
                FormField("reference_low", "Reference range low", "number"),
                FormField("reference_high", "Reference range high", "number"),
                _NOTE,
            ),
        ),
        EventForm(
            "adverse_event",
            "Side effect",
            (
                _DATE,
                FormField(
                    "term",
                    "What happened",
                    "text",
                    required=True,
                    suggestions=tuple(side_effect_terms),
                ),
                FormField(
                    "severity",
                    "How severe",
                    "select",
                    required=True,
                    choices=(
                        ("1", "1 — mild, barely noticed"),
                        ("2", "2 — moderate, limits some activities"),
                        ("3", "3 — severe, limits self-care"),
                        ("4", "4 — life-threatening"),
                        ("5", "5 — death"),
                    ),
                ),
                _NOTE,
            ),
            self_report=True,
        ),
        EventForm(
            "mood_screen",
            "Mood questionnaire (PHQ-9)",
            (
                FormField("date", "Date answered", "date", required=True),
                FormField(
                    "item_scores",
                    "Over the last two weeks, how often have you been bothered by:",
                    "scores",
                    required=True,
                    choices=PHQ9_ANSWERS,
                ),
                _NOTE,
            ),
            self_report=True,
            fixed={"instrument": "phq9"},
        ),
        EventForm(
            "dose_missed",
            "Missed doses",
            (
                FormField("date", "First day missed", "date", required=True),
                FormField("days", "Number of days missed", "integer", required=True),
                _NOTE,
            ),
            self_report=True,
        ),
        EventForm(
            "course_start",
            "First dose taken",
            (_DATE, _NOTE),
        ),
        EventForm(
            "dose_change",
            "Dose change",
            (_DATE, FormField("daily_dose_mg", "New daily dose (mg)", "number", required=True)),
        ),
        EventForm(
            "pause",
            "Pause treatment",
            (_DATE, FormField("reason", "Reason", "text"), _NOTE),
        ),
        EventForm("resume", "Resume treatment", (_DATE, _NOTE)),
        EventForm(
            "course_end",
            "Course end (last dose)",
            (
                FormField("date", "Last dose taken on", "date", required=True),
                FormField(
                    "reason",
                    "Reason",
                    "select",
                    required=True,
                    choices=tuple(
                        (r, _humanise(r))
                        for r in (
                            "completed",
                            "adverse_event",
                            "pregnancy",
                            "patient_choice",
                            "other",
                        )
                    ),
                ),
                _NOTE,
            ),
        ),
        EventForm(
            "visit",
            "Visit",
            (
                _DATE,
                FormField(
                    "kind",
                    "Kind",
                    "select",
                    required=True,
                    choices=(("in_person", "in person"), ("telehealth", "telehealth")),
                ),
                _NOTE,
            ),
        ),
        EventForm(
            "assessment",
            "Clinical assessment",
            (
                _DATE,
                FormField(
                    "kind",
                    "Assessment",
                    "select",
                    required=True,
                    choices=tuple(
                        (k, _humanise(k))
                        for k in (
                            "mental_health",
                            "sexual_function",
                            "psychiatric_history",
                            "second_prescriber_agreement",
                        )
                    ),
                ),
                FormField("concern", "A concern was found", "yes_no"),
                FormField("outcome", "Outcome", "text"),
                _NOTE,
            ),
        ),
        EventForm(
            "medication",
            "Other medicine",
            (
                _DATE,
                FormField("name", "Medicine", "text", required=True),
                FormField(
                    "status",
                    "Status",
                    "select",
                    required=True,
                    choices=(("started", "started"), ("stopped", "stopped")),
                ),
                _NOTE,
            ),
        ),
        EventForm(
            "condition",
            "Condition",
            (
                _DATE,
                FormField("term", "Condition", "text", required=True),
                FormField(
                    "status",
                    "Status",
                    "select",
                    required=True,
                    choices=(("active", "active"), ("resolved", "resolved")),
                ),
                _NOTE,
            ),
        ),
        EventForm(
            "allergy",
            "Allergy",
            (_DATE, FormField("substance", "Substance", "text", required=True), _NOTE),
        ),
        EventForm(
            "void",
            "Void an event (correction)",
            (
                _DATE,
                FormField("target_id", "Event to void", "select", required=True),
                FormField("reason", "Reason for the correction", "text", required=True),
            ),
        ),
    ]
    return {form.type: form for form in forms}


def home_pregnancy_test_form() -> EventForm:
    """The patient's own home test report: setting and specimen are fixed by the form."""
    return EventForm(
        "pregnancy_test",
        "Home pregnancy test",
        (
            FormField("date", "Day you did the test", "date", required=True),
            FormField(
                "result",
                "Result",
                "select",
                required=True,
                choices=(
                    ("negative", "negative"),
                    ("positive", "positive"),
                    ("invalid", "invalid"),
                ),
            ),
            _NOTE,
        ),
        self_report=True,
        fixed={"kind": "urine", "setting": "home"},
        key="home_pregnancy_test",
    )


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
        else:
            general.append(f"{problem.field}: {message}")
    return FormErrors(by_field, general)
