"""A synthetic clinic for the benchmark: short, plausible courses that are due a dispense today.

Each patient is in month 1 to 4 of a course under one of the four policies, with the events a
clinic records for that month: enrolment and counselling, two contraception methods started
well before the first test (patients who can get pregnant), a screening test, a confirmation or
monthly test and a prescription written in the last few days, earlier prescriptions with their
dispenses, a weight and baseline labs. A small share has a test too old to open a pick-up
window, so the decision refuses them (a benchmark that only ever says yes measures too little).

The dates are relative to ``today`` so the seeded clinic is due on the day it is loaded. The
generator is deterministic for a given seed and patient number.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

TIMELINE_SCHEMA = "isotrack.timeline/1"

# (policy, share of patients): the US editions are the larger share, as in the anchors' scale.
POLICY_MIX: tuple[tuple[str, float], ...] = (
    ("us-ipledge-2026", 0.45),
    ("us-ipledge-2023", 0.10),
    ("eu-ppp-2018", 0.30),
    ("uk-mhra-2023", 0.15),
)
CAN_GET_PREGNANT_SHARE = 0.70
FEMALE_CANNOT_GET_PREGNANT_SHARE = 0.10
MONTH_MIX: tuple[tuple[int, float], ...] = ((1, 0.40), (2, 0.30), (3, 0.20), (4, 0.10))
STALE_TEST_SHARE = 0.03  # test collected too long ago: the decision refuses these


@dataclass(frozen=True)
class DuePrescription:
    """What the load generator asks about: this course's newest prescription."""

    patient_id: str
    course_id: str
    prescription_id: str
    policy: str
    can_get_pregnant: bool


def _pick(rng: random.Random, mix: tuple[tuple[Any, float], ...]) -> Any:
    roll = rng.random()
    total = 0.0
    for value, share in mix:
        total += share
        if roll < total:
            return value
    return mix[-1][0]


def patient_id(number: int) -> str:
    return f"bench-pt-{number:06d}"


def course_id(number: int) -> str:
    return f"bench-c-{number:06d}"


def synthetic_timeline(
    number: int, today: dt.date, seed: int = 20261123
) -> tuple[dict[str, Any], DuePrescription]:
    """Patient ``number``'s course (an ``isotrack.timeline/1`` document) and what is due."""
    rng = random.Random(seed * 1_000_003 + number)
    policy: str = _pick(rng, POLICY_MIX)
    us = policy.startswith("us-")
    product = "isotretinoin-us" if us else "isotretinoin-eu"
    roll = rng.random()
    can_get_pregnant = roll < CAN_GET_PREGNANT_SHARE
    female = roll < CAN_GET_PREGNANT_SHARE + FEMALE_CANNOT_GET_PREGNANT_SHARE
    months: int = _pick(rng, MONTH_MIX)
    stale = rng.random() < STALE_TEST_SHARE

    # The newest prescription was written 0-3 days ago; each earlier one 30 days before it.
    latest_rx_day = today - dt.timedelta(days=rng.randint(0, 3))
    rx_days = [latest_rx_day - dt.timedelta(days=30 * (months - m)) for m in range(1, months + 1)]
    start = rx_days[0]
    weight_kg = round(rng.uniform(48.0, 105.0), 1)
    daily_dose_mg = 20.0 if weight_kg < 60 else 40.0
    events: list[dict[str, Any]] = []

    def add(event_type: str, day: dt.date, **fields: Any) -> None:
        events.append(
            {"id": f"e{len(events) + 1}", "type": event_type, "date": day.isoformat(), **fields}
        )

    first_visit = start - dt.timedelta(days=28 if can_get_pregnant else 2)
    add(
        "enrolment",
        first_visit,
        category="can_get_pregnant" if can_get_pregnant else "cannot_get_pregnant",
    )
    add("counselling", first_visit, topics=["pregnancy_prevention", "side_effects"])
    add("assessment", first_visit, kind="mental_health", concern=False)
    add("assessment", first_visit, kind="sexual_function", concern=False)
    add("weight", first_visit, weight_kg=weight_kg)
    add("lab_result", first_visit, test="alt", value=rng.randint(12, 38), unit="U/L",
        reference_high=40)  # fmt: skip
    add("lab_result", first_visit, test="triglycerides", value=round(rng.uniform(0.6, 1.9), 2),
        unit="mmol/L", reference_high=2.0)  # fmt: skip
    if can_get_pregnant:
        methods = rng.choice(
            (
                ["combined_oral_contraceptive", "male_condom"],
                ["hormonal_iud", "male_condom"],
                ["implant", "male_condom"],
                ["iud", "male_condom"],
            )
        )
        add("contraception", first_visit, methods=methods,
            started_on=(first_visit - dt.timedelta(days=35)).isoformat())  # fmt: skip
        add("pregnancy_test", first_visit, result="negative", kind="urine", setting="medical",
            sensitivity_miu_per_ml=25)  # fmt: skip
    for month, rx_day in enumerate(rx_days, start=1):
        if can_get_pregnant:
            back = 9 if stale and month == months else rng.randint(0, 1)
            test_day = rx_day - dt.timedelta(days=back)
            add("pregnancy_test", test_day, result="negative", kind="serum", setting="laboratory",
                sensitivity_miu_per_ml=25)  # fmt: skip
            add("comprehension_check", rx_day, passed=True)
        add("counselling", rx_day, topics=["pregnancy_prevention"])
        add("visit", rx_day)
        if month > 1:
            add("mood_screen", rx_day, item_scores=[rng.randint(0, 1) for _ in range(9)])
            add("assessment", rx_day, kind="mental_health", concern=False)
            add("assessment", rx_day, kind="sexual_function", concern=False)
        add("prescription", rx_day, product=product, daily_dose_mg=daily_dose_mg, days_supply=30)
        rx_id = events[-1]["id"]
        if month == 1:
            add("course_start", rx_day + dt.timedelta(days=1))
        if month < months:
            add("dispense", rx_day + dt.timedelta(days=1), prescription_id=rx_id, days_supply=30,
                authorization_code=f"BENCH{number:06d}{month}")  # fmt: skip
        latest_rx = rx_id
    events.sort(key=lambda e: e["date"])  # recording order follows the calendar
    timeline = {
        "schema": TIMELINE_SCHEMA,
        "patient": {
            "id": patient_id(number),
            "birth_date": dt.date(
                rng.randint(1986, 2006), rng.randint(1, 12), rng.randint(1, 28)
            ).isoformat(),
            "sex_at_birth": "female" if female else "male",
            "can_get_pregnant": can_get_pregnant,
        },
        "policy": policy,
        "events": events,
    }
    due = DuePrescription(
        patient_id(number), course_id(number), latest_rx, policy, can_get_pregnant
    )
    return timeline, due
