"""The patient's report forms in the patient's language and words.

The forms are the clinic's event forms (``event_form_catalogue``) with every title, label,
hint and choice passed through the patient's catalogue. A side effect's severity is offered
in everyday words and only up to "severe": worse is an emergency, which the page says.
The PHQ-9 questionnaire stays in English: it is a validated instrument, and isotrack does not
ship a translation of its own (validated translations exist and are not included).
"""

from __future__ import annotations

from dataclasses import replace

from isotrack.knowledge import Knowledge
from isotrack.web.form_fields import EventForm, FormField
from isotrack.web.i18n import N_, Speaker
from isotrack.web.pages.common import patient_forms

PATIENT_SEVERITY = (
    ("1", N_("Mild: I can do my usual things")),
    ("2", N_("Moderate: it gets in the way of my usual things")),
    ("3", N_("Severe: I cannot look after myself as usual")),
)
# Every word of the patient's forms, for the catalogues (tests check each is translated).
FORM_WORDS = (
    N_("Side effect"), N_("Date it happened"), N_("What happened"), N_("How severe"),
    N_("Note (optional)"), N_("Missed doses"), N_("First day missed"),
    N_("Number of days missed"), N_("Home pregnancy test"), N_("Day you did the test"),
    N_("Result"), N_("negative"), N_("positive"), N_("invalid"),
    N_("Mood questionnaire (PHQ-9)"), N_("Date answered"),
    N_("Over the last two weeks, how often have you been bothered by:"),
)  # fmt: skip


def _field(field: FormField, words: Speaker) -> FormField:
    choices = PATIENT_SEVERITY if field.name == "severity" else field.choices
    if field.kind == "scores":  # the PHQ-9 answers stay as validated, in English
        return replace(field, label=words.gettext(field.label))
    return replace(
        field,
        label=words.gettext(field.label),
        hint=words.gettext(field.hint) if field.hint else "",
        choices=tuple((code, words.gettext(text)) for code, text in choices),
    )


def report_forms(source: Knowledge, home_test: bool, words: Speaker) -> list[EventForm]:
    """The forms a patient may send, worded for them."""
    return [
        replace(
            form,
            title=words.gettext(form.title),
            fields=tuple(_field(f, words) for f in form.fields),
        )
        for form in patient_forms(source, home_test).values()
    ]


def form_messages(source: Knowledge) -> set[str]:
    """Every message of the patient's forms (both with and without the home test)."""
    found: set[str] = {text for _, text in PATIENT_SEVERITY}
    for form in patient_forms(source, True).values():
        found.add(form.title)
        for field in form.fields:
            found.add(field.label)
            if field.hint:
                found.add(field.hint)
            if field.kind != "scores" and field.name != "severity":
                found.update(text for _, text in field.choices)
    return found
