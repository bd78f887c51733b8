"""Every form that records a course event, declared once: fields, labels, who may use it.

Products, lab tests, units and side-effect terms come from the knowledge base (see
``pages.common.event_forms``); the templates draw these forms and ``event_forms`` reads them
back.
"""

from __future__ import annotations

from collections.abc import Sequence

from isotrack.domain.events import ContraceptionMethodCode
from isotrack.web.form_fields import EventForm, FormField, humanise

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

_CONTRACEPTION_CHOICES = tuple((m.value, humanise(m.value)) for m in ContraceptionMethodCode)


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
                FormField(
                    "prescriber_id",
                    "Prescriber's programme id (optional)",
                    "text",
                    hint="The prescriber's iPLEDGE id, where the programme gives one",
                ),
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
                        (r, humanise(r))
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
                        (k, humanise(k))
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
