"""The acne assessment forms: the clinic's (grade or GAGS score, lesion counts by type and site,
scarring) and the patient's (a grade and a note). Who assessed is set by the service from the
signed-in role (``service.biology``), never by the form."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

from isotrack.domain.errors import IsotrackInputError
from isotrack.domain.events import EventBase
from isotrack.domain.timeline import parse_event
from isotrack.engines.response.trend import LESION_TYPES
from isotrack.knowledge import Knowledge
from isotrack.knowledge.response import GradingScale
from isotrack.web.form_fields import FieldKind, FormErrors
from isotrack.web.i18n import N_

FORM_KEY = "acne_assessment"
# The patient's own report (``_my_biology.html``): the kind of each of its inputs.
SELF_REPORT_KINDS: dict[str, FieldKind] = {"date": "date", "grade": "select", "note": "textarea"}
SITES = (("face", "Face"), ("chest", "Chest"), ("back", "Back"))
LESION_LABELS = {
    "comedones": "Comedones",
    "papules": "Papules",
    "pustules": "Pustules",
    "nodules_cysts": "Nodules / cysts",
}
SCARRING = (("", "not assessed"), ("none", "none"), ("mild", "mild"),
            ("moderate", "moderate"), ("severe", "severe"))  # fmt: skip
PATIENT_WORDS = {  # the IGA grades as a patient would recognise them (translated on her page)
    0: N_("clear — no spots at all"),
    1: N_("almost clear — a few small blackheads or whiteheads, at most one small red spot"),
    2: N_("mild — some blackheads or whiteheads and a few red spots"),
    3: N_("moderate — many spots, several red or pus-filled"),
    4: N_("severe — many spots, red and pus-filled, maybe deep painful lumps"),
}


def lesion_field(site: str, kind: str) -> str:
    return f"lesions-{site}-{kind}"


def grade_choices(knowledge: Knowledge, scale_id: str) -> list[tuple[str, str]]:
    scale = dict(knowledge.records("grading_scale", GradingScale))[scale_id]
    return [
        (str(g.low), f"{g.low} — {g.label}: {g.description}")
        if g.low == g.high
        else (str(g.low), f"{g.low}–{g.high} — {g.label}")
        for g in scale.grades
    ]


def patient_grade_choices() -> list[tuple[str, str]]:
    return [(str(grade), words) for grade, words in PATIENT_WORDS.items()]


def _whole(text: str, name: str, errors: dict[str, str], low: int, high: int) -> int | None:
    try:
        value = int(text)
    except ValueError:
        errors[name] = f"“{text}” is not a whole number"
        return None
    if not low <= value <= high:
        errors[name] = f"use a whole number from {low} to {high}"
        return None
    return value


def assessment_from_form(
    knowledge: Knowledge, values: Mapping[str, Any], *, recorded_by: str, patient: bool
) -> EventBase:
    """The acne assessment a submitted form describes; :class:`FormErrors` names each field."""
    errors: dict[str, str] = {}
    text = {k: str(v).strip() for k, v in values.items() if isinstance(v, str)}
    scales = dict(knowledge.records("grading_scale", GradingScale))
    scale_id = "iga" if patient else text.get("scale", "iga")
    if scale_id not in scales:
        errors["scale"] = "choose one of the listed scales"
        scale_id = "iga"
    scale = scales[scale_id]
    day = text.get("date", "")
    try:
        date = dt.date.fromisoformat(day).isoformat()
    except ValueError:
        errors["date"] = f"“{day}” is not a date; use the date picker (year-month-day)"
    grade = None
    if not text.get("grade"):
        errors["grade"] = "choose a grade"
    else:
        grade = _whole(text["grade"], "grade", errors, scale.minimum, scale.maximum)
    lesions: dict[str, dict[str, int]] = {}
    if not patient:
        for site, _ in SITES:
            for kind in LESION_TYPES:
                name = lesion_field(site, kind)
                if text.get(name):
                    count = _whole(text[name], name, errors, 0, 10_000)
                    if count is not None:
                        lesions.setdefault(site, {})[kind] = count
        if text.get("scarring") and text["scarring"] not in {c for c, _ in SCARRING}:
            errors["scarring"] = "choose one of the listed answers"
    if errors:
        raise FormErrors(errors)
    data: dict[str, Any] = {
        "id": f"web-{uuid.uuid4().hex[:16]}",
        "type": "acne_assessment",
        "date": date,
        "scale": scale_id,
        "grade": grade,
        "lesions": lesions,
        "assessed_by": "patient" if patient else "prescriber",
        "recorded_by": recorded_by,
    }
    if text.get("scarring"):
        data["scarring"] = text["scarring"]
    if text.get("note"):
        data["note"] = text["note"]
    try:
        return parse_event(data)
    except IsotrackInputError as exc:
        raise FormErrors(
            {},
            [f"This assessment could not be recorded: {exc.summary}."],
        ) from None
