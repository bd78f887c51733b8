"""Forms for the clinical-judgement events: the outcome of an exposed pregnancy and an acne
assessment (the clinic's, and the patient's own self-report). Alert reviews have their own
form beside each alert (``templates/_safety.html``), since they answer one alert."""

from __future__ import annotations

from isotrack.domain.events import PregnancyOutcome
from isotrack.web.form_fields import EventForm, FormField, humanise

_DATE = FormField("date", "Date", "date", required=True)
_NOTE = FormField("note", "Note (optional)", "textarea")
_IGA_GRADES = (
    ("0", "0 — clear"),
    ("1", "1 — almost clear"),
    ("2", "2 — mild"),
    ("3", "3 — moderate"),
    ("4", "4 — severe"),
)
_SCARRING = tuple((s, s) for s in ("none", "mild", "moderate", "severe"))


def clinical_judgement_forms() -> dict[str, EventForm]:
    """The clinic's forms: a pregnancy reported, its outcome, an acne assessment."""
    outcome = EventForm(
        "pregnancy_outcome",
        "Outcome of the pregnancy",
        (
            _DATE,
            FormField("outcome", "Outcome", "select", required=True,
                      choices=tuple((o.value, humanise(o.value)) for o in PregnancyOutcome)),
            FormField("details", "Details (optional)", "textarea"),
            _NOTE,
        ),
    )  # fmt: skip
    acne = EventForm(
        "acne_assessment",
        "Acne assessment",
        (
            _DATE,
            FormField("scale", "Scale", "select", required=True,
                      choices=(("iga", "IGA (0 to 4)"), ("gags", "GAGS (0 to 44)"))),
            FormField("grade", "Grade", "integer", required=True,
                      hint="IGA 0 (clear) to 4 (severe); GAGS 0 to 44"),
            FormField("scarring", "Scarring (optional)", "select", choices=_SCARRING),
            _NOTE,
        ),
        fixed={"assessed_by": "prescriber"},
    )  # fmt: skip
    reported = EventForm(
        "pregnancy_reported",
        "Pregnancy reported",
        (
            FormField("date", "Day the pregnancy became known", "date", required=True),
            FormField("last_menstrual_period", "First day of the last menstrual period "
                      "(optional)", "date", hint="Dates the conception; left empty it stays "
                      "unknown"),
            _NOTE,
        ),
    )  # fmt: skip
    return {f.form_key: f for f in (reported, outcome, acne)}


def acne_self_report_form() -> EventForm:
    """The patient's own grade of their skin today (recorded as a self-report)."""
    return EventForm(
        "acne_assessment",
        "How is my skin today",
        (
            FormField("date", "Day", "date", required=True),
            FormField(
                "grade",
                "How would you grade your acne today?",
                "select",
                required=True,
                choices=_IGA_GRADES,
            ),
            _NOTE,
        ),
        self_report=True,
        fixed={"assessed_by": "patient", "scale": "iga"},
        key="acne_self_report",
    )
