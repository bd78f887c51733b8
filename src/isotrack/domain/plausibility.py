"""Plausibility of what is about to be recorded: dates, weights, doses, supply, products.

A pure check (no clock: the caller passes the recording day). It refuses only what cannot be
true of any patient — the limits are facts in ``knowledge/data/plausibility.toml``
(docs/decisions.md, decision 35); clinical judgement of plausible values stays with the
engines. Every problem names the field, the value and what is allowed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from isotrack.domain.errors import FieldProblem
from isotrack.domain.events import EventBase
from isotrack.domain.timeline import Patient, Timeline, completed_years
from isotrack.knowledge.loader import Knowledge


def _number_range(
    knowledge: Knowledge, fact_id: str, unit: str
) -> tuple[Callable[[float], bool], str]:
    low, high = knowledge.bounds(fact_id)
    return (lambda value: low <= value <= high), f"{low:g} to {high:g} {unit}"


def _at_most(knowledge: Knowledge, fact_id: str) -> tuple[Callable[[float], bool], str]:
    limit = knowledge.number(fact_id)
    return (lambda value: value <= limit), f"at most {limit:g}"


def _field_limits(knowledge: Knowledge) -> dict[str, tuple[Callable[[float], bool], str]]:
    """Numeric event fields by name, whatever event type carries them."""
    return {
        "weight_kg": _number_range(knowledge, "plausibility.weight_kg", "kg"),
        "daily_dose_mg": _number_range(knowledge, "plausibility.daily_dose_mg", "mg"),
        "refills": _at_most(knowledge, "plausibility.max_refills"),
        "days_supply": _at_most(knowledge, "plausibility.max_days_supply"),
    }


def _earliest_day(knowledge: Knowledge, birth_date: dt.date | None) -> dt.date:
    floor = dt.date(int(knowledge.number("plausibility.earliest_event_year")), 1, 1)
    return max(floor, birth_date) if birth_date is not None else floor


def _latest_day(knowledge: Knowledge, today: dt.date) -> dt.date:
    return today + dt.timedelta(days=int(knowledge.number("plausibility.future_skew_days")))


def patient_problems(knowledge: Knowledge, patient: Patient, today: dt.date) -> list[FieldProblem]:
    max_age = int(knowledge.number("plausibility.max_age_years"))
    born = patient.birth_date
    if born > today or completed_years(born, today) > max_age:
        earliest = today.replace(year=today.year - max_age)
        return [
            FieldProblem(
                "patient",
                "birth_date",
                born.isoformat(),
                f"a date from {earliest.isoformat()} to {today.isoformat()}",
            )
        ]
    return []


def event_problems(
    knowledge: Knowledge,
    event: EventBase,
    today: dt.date,
    *,
    birth_date: dt.date | None = None,
    location: str | None = None,
) -> list[FieldProblem]:
    """Problems of one event recorded on ``today`` for a patient born on ``birth_date``."""
    where = location or f"event (id {event.id!r})"
    problems: list[FieldProblem] = []
    earliest, latest = _earliest_day(knowledge, birth_date), _latest_day(knowledge, today)
    if not earliest <= event.date <= latest:
        after = "the patient's birth" if birth_date is not None and earliest == birth_date else ""
        allowed = f"a date from {earliest.isoformat()} to {latest.isoformat()}"
        problems.append(
            FieldProblem(
                where, "date", event.date.isoformat(), allowed + (f" ({after})" if after else "")
            )
        )
    for field, (accepts, allowed) in _field_limits(knowledge).items():
        value = getattr(event, field, None)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and not accepts(value):
            problems.append(FieldProblem(where, field, value, allowed))
    product = getattr(event, "product", None)
    if isinstance(product, str) and product not in knowledge.products:
        problems.append(
            FieldProblem(
                where, "product", product, "a product of the knowledge base (isotrack facts)"
            )
        )
    return problems


def check_plausibility(
    knowledge: Knowledge,
    subject: Timeline | EventBase,
    today: dt.date,
    *,
    birth_date: dt.date | None = None,
) -> list[FieldProblem]:
    """Every implausible value in a timeline, or in one event about to be appended.

    ``today`` is the recording day (the server's date, or the CLI's ``--as-of``). For one
    event, pass the patient's ``birth_date`` so that events before birth are refused.
    An empty list means nothing is implausible; raise ``IsotrackInputError(problems)``
    otherwise.
    """
    if isinstance(subject, EventBase):
        return event_problems(knowledge, subject, today, birth_date=birth_date)
    problems = patient_problems(knowledge, subject.patient, today)
    events: Iterable[tuple[int, EventBase]] = enumerate(subject.events)
    for index, event in events:
        problems.extend(
            event_problems(
                knowledge,
                event,
                today,
                birth_date=subject.patient.birth_date,
                location=f"events[{index}] (id {event.id!r})",
            )
        )
    return problems
