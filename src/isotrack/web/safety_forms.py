"""Forms for the clinical-judgement events: the outcome of an exposed pregnancy and an acne
assessment (the clinic's, and the patient's own self-report). Alert reviews have their own
form beside each alert (``templates/_safety.html``), since they answer one alert."""

from __future__ import annotations

from isotrack.domain.events import PregnancyOutcome
from isotrack.web.form_fields import EventForm, FormField, humanise

_DATE = FormField("date", "Date", "date", required=True)
_NOTE = FormField("note", "Note (optional)", "textarea")


def clinical_judgement_forms() -> dict[str, EventForm]:
    """The clinic's forms: a pregnancy reported and its outcome (acne assessments have their own
    form, ``web/acne_form.py``)."""
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
    return {f.form_key: f for f in (reported, outcome)}
