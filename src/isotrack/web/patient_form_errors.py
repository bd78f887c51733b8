"""What a patient reads when a form is refused: one plain sentence per field, in the patient's
language, saying what to write instead.

The clinic's messages quote the event contract ("'x' is not allowed; allowed: ..."), which is
staff wording in English. The patient's message is chosen from the kind of field and, when the
contract gave a limit, the limit's number: nothing of the contract's English reaches the page.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from isotrack.domain.errors import IsotrackInputError
from isotrack.web.event_forms import PHQ9_ITEM_TOPICS, score_field_name
from isotrack.web.form_fields import EventForm, FieldKind, FormErrors, FormValues
from isotrack.web.i18n import N_, Speaker

CHOOSE = N_("Please choose one of the answers offered.")
FILL_IN = N_("Please fill this in.")
DATE = N_("Please give the day it happened as a date, not a day in the future.")
WHOLE_NUMBER = N_("Please write a whole number, such as 3.")
AT_MOST = N_("Please write a number no larger than %(limit)s.")
AT_LEAST = N_("Please write a number no smaller than %(limit)s.")
TOO_LONG = N_("Please write at most %(limit)s characters.")
CHECK = N_("Please check this answer.")
NOT_RECEIVED = N_(
    "Your care team could not receive this. Please check your answers and send it again; "
    "if it still does not go through, contact your care team."
)
PATIENT_ERROR_WORDS = (CHOOSE, FILL_IN, DATE, WHOLE_NUMBER, AT_MOST, AT_LEAST, TOO_LONG, CHECK,
                       NOT_RECEIVED)  # fmt: skip
CHOICE_KINDS = ("select", "yes_no", "scores", "checkboxes")
_LIMIT = re.compile(r"\bat (most|least) (\d+)")


def _typed(values: FormValues, name: str) -> str:
    raw = values.get(name, "")
    return (raw[0] if raw else "") if isinstance(raw, list) else raw.strip()


def _message(kind: FieldKind, typed: str, allowed: str, words: Speaker) -> str:
    if kind in CHOICE_KINDS:
        return words.gettext(CHOOSE)
    if kind == "date":
        return words.gettext(DATE)
    if not typed:
        return words.gettext(FILL_IN)
    limit = _LIMIT.search(allowed)
    if limit is not None:
        number = words.number(int(limit.group(2)))
        if "character" in allowed:
            return words.gettext(TOO_LONG) % {"limit": number}
        wording = AT_MOST if limit.group(1) == "most" else AT_LEAST
        return words.gettext(wording) % {"limit": number}
    if kind in ("integer", "number"):
        return words.gettext(WHOLE_NUMBER)
    return words.gettext(CHECK)


def form_kinds(form: EventForm) -> dict[str, FieldKind]:
    """The kind of each input of an event form (the PHQ-9 is one select per question)."""
    kinds: dict[str, FieldKind] = {f.name: f.kind for f in form.fields}
    if any(f.kind == "scores" for f in form.fields):
        kinds.update({score_field_name(i): "scores" for i in range(len(PHQ9_ITEM_TOPICS))})
    return kinds


def patient_form_errors(
    kinds: Mapping[str, FieldKind],
    values: FormValues,
    refused: FormErrors | IsotrackInputError,
    words: Speaker,
) -> FormErrors:
    """The refusal worded for the patient: each field at fault gets the sentence of its kind
    (``kinds`` names the kind of each field of the form); anything not tied to a field gets one
    sentence above the form."""
    if isinstance(refused, IsotrackInputError):
        allowed = {p.field.partition(".")[0]: p.allowed for p in refused.problems}
        named = {name: "" for name in allowed if name in kinds}
        general = len(named) < len(allowed) or not allowed
        refused = FormErrors(named, [NOT_RECEIVED] if general else [], allowed)
    by_field = {}
    for name in refused.by_field:
        kind = kinds.get(name, "text")
        by_field[name] = _message(kind, _typed(values, name), refused.allowed.get(name, ""), words)
    general_words = [words.gettext(NOT_RECEIVED)] if refused.general else []
    return FormErrors(by_field, general_words)
