"""Plausibility limits (docs/decisions.md, decision 35): typing errors and hostile values are
refused before any engine sees them; real courses pass untouched."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from isotrack.domain.errors import IsotrackInputError
from isotrack.domain.plausibility import check_plausibility
from isotrack.domain.timeline import load_timeline, parse_event
from isotrack.knowledge import load_knowledge

KNOWLEDGE = load_knowledge()
TODAY = dt.date(2026, 10, 15)
BORN = dt.date(2004, 5, 2)
TESTS = Path(__file__).parents[1]


def _problems(event: dict[str, object]) -> list[tuple[str, object, str]]:
    problems = check_plausibility(KNOWLEDGE, parse_event(event), TODAY, birth_date=BORN)
    return [(p.field, p.value, p.allowed) for p in problems]


def _prescription(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {
        "id": "rx1",
        "type": "prescription",
        "date": "2026-10-01",
        "product": "absorica-ld",
        "daily_dose_mg": 32,
        "days_supply": 30,
        "refills": 0,
    }
    return {**base, **changes}


def test_a_real_prescription_passes() -> None:
    assert _problems(_prescription(product=next(iter(KNOWLEDGE.products)))) == []


@pytest.mark.parametrize(
    ("date", "allowed"),
    [
        ("1900-01-01", "a date from 2004-05-02 to 2026-10-16 (the patient's birth)"),
        ("2999-01-01", "a date from 2004-05-02 to 2026-10-16 (the patient's birth)"),
        ("2026-10-17", "a date from 2004-05-02 to 2026-10-16 (the patient's birth)"),
    ],
)
def test_event_dates_stay_between_birth_and_one_day_of_clock_skew(date: str, allowed: str) -> None:
    event = {"id": "w1", "type": "weight", "date": date, "weight_kg": 70}
    assert _problems(event) == [("date", date, allowed)]


def test_the_date_floor_is_1982_when_the_birth_date_is_unknown() -> None:
    event = parse_event({"id": "w1", "type": "weight", "date": "1975-03-01", "weight_kg": 70})
    (problem,) = check_plausibility(KNOWLEDGE, event, TODAY)
    assert problem.allowed == "a date from 1982-01-01 to 2026-10-16"


def test_a_weight_of_a_gram_is_refused() -> None:
    event = {"id": "w1", "type": "weight", "date": "2026-10-01", "weight_kg": 0.001}
    assert _problems(event) == [("weight_kg", 0.001, "20 to 350 kg")]


def test_absurd_refills_supply_dose_and_unknown_products_are_refused() -> None:
    product = next(iter(KNOWLEDGE.products))
    fields = {p[0] for p in _problems(_prescription(product=product, refills=10**30))}
    assert fields == {"refills"}
    found = _problems(_prescription(product="no-such-capsule", daily_dose_mg=900, days_supply=300))
    assert {(f, v) for f, v, _ in found} == {
        ("product", "no-such-capsule"),
        ("daily_dose_mg", 900),
        ("days_supply", 300),
    }


def test_a_birth_date_in_the_future_is_refused() -> None:
    timeline = load_timeline(
        {
            "schema": "isotrack.timeline/1",
            "policy": "us-ipledge-2026",
            "patient": {
                "id": "p1",
                "birth_date": "2090-01-01",
                "sex_at_birth": "male",
                "can_get_pregnant": False,
            },
            "events": [],
        }
    )
    (problem,) = check_plausibility(KNOWLEDGE, timeline, TODAY)
    assert (problem.field, problem.value) == ("birth_date", "2090-01-01")
    assert problem.allowed == "a date from 1906-10-15 to 2026-10-15"


@pytest.mark.parametrize("word", ["yes", "true", "1", "on"])
def test_yes_is_not_read_as_true(word: str) -> None:
    with pytest.raises(IsotrackInputError) as refused:
        parse_event(
            {"id": "c1", "type": "comprehension_check", "date": "2026-10-01", "passed": word}
        )
    assert refused.value.problems[0].field == "passed"
    with pytest.raises(IsotrackInputError) as error:
        load_timeline(
            {
                "schema": "isotrack.timeline/1",
                "policy": "us-ipledge-2026",
                "patient": {
                    "id": "p1",
                    "birth_date": "2000-01-01",
                    "sex_at_birth": "female",
                    "can_get_pregnant": word,
                },
                "events": [],
            }
        )
    assert error.value.problems[0].field.endswith("can_get_pregnant")


def test_every_scenario_course_of_the_test_suite_is_plausible() -> None:
    # The limits refuse typing errors, never a real course: 39 hand-written clinical cases.
    paths = sorted(TESTS.glob("*/scenarios/*.json"))
    assert paths
    for path in paths:
        timeline = load_timeline(path.read_bytes())
        last = max((e.date for e in timeline.events), default=TODAY)
        assert check_plausibility(KNOWLEDGE, timeline, max(last, TODAY)) == [], path.name
