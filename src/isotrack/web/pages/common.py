"""Small pieces every page module shares: the knowledge base, today's date, form values."""

from __future__ import annotations

import datetime as dt

from fastapi import Request
from starlette.datastructures import FormData

from isotrack.knowledge import Knowledge, load_knowledge
from isotrack.web.event_forms import EventForm, build_forms, home_pregnancy_test_form
from isotrack.web.safety_forms import clinical_judgement_forms
from isotrack.web.session import service


def knowledge(request: Request | None = None) -> Knowledge:
    """The clinic's knowledge base (its programme settings laid over the policies) for a page
    that judges a course; the packaged one where no request is at hand (the planner's forms,
    which read products and doses, never a programme policy)."""
    if request is None:
        return load_knowledge()
    return service(request).knowledge()


def today(request: Request) -> dt.date:
    """The clinic's today, from the service (the pages, not the engines, know the date)."""
    return service(request).today()


def form_values(form: FormData) -> dict[str, str | list[str]]:
    """Everything the user typed, kept so a rejected form can be shown again as typed."""
    values: dict[str, str | list[str]] = {}
    for key in form:
        if key in ("csrf_token", "form_key"):
            continue
        items = [v for v in form.getlist(key) if isinstance(v, str)]
        values[key] = items if len(items) > 1 or key == "methods" else (items[0] if items else "")
    return values


def event_forms(source: Knowledge) -> dict[str, EventForm]:
    """The prescriber's forms, with products, lab tests and side-effect terms from knowledge."""
    from isotrack.knowledge.monitoring import AdverseEffect, LabTest

    products = sorted(
        ((p.id, f"{p.name} ({', '.join(f'{s:g}' for s in p.strengths_mg)} mg)")
         for p in source.products.values() if p.marketed),
        key=lambda item: item[1].lower(),
    )  # fmt: skip
    tests = source.records("lab_test", LabTest).values()
    lab_names = sorted({t.name for t in tests} | {t.id for t in tests})
    units = sorted({u for t in tests for u in t.common_units})
    terms = sorted(e.term for e in source.records("adverse_effect", AdverseEffect).values())
    return {**build_forms(products, lab_names, units, terms), **clinical_judgement_forms()}


def patient_forms(source: Knowledge, home_test: bool) -> dict[str, EventForm]:
    """The forms a patient may send: side effect, missed doses, mood, and a home test if allowed."""
    every = event_forms(source)
    chosen = {k: every[k] for k in ("adverse_event", "dose_missed", "mood_screen")}
    if home_test:
        home = home_pregnancy_test_form()
        chosen[home.form_key] = home
    return chosen
