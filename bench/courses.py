"""Six-month courses for the engine benchmark: what a clinic records over a whole course.

Each course runs under one of the four policies. Before the first dose: enrolment, counselling,
a mental-health and (UK) sexual-function assessment, weight, baseline labs (ALT, AST,
triglycerides, total cholesterol), a PHQ-9 and, for patients who can get pregnant, two
contraception methods and a screening test. Then six monthly cycles: a pregnancy test and a
comprehension check (patients who can get pregnant), counselling, a visit, a PHQ-9, labs
(liver and lipids in months 1-3 and then every other month), a prescription and its dispense
the next day. Some courses carry an adverse event, a medicine or a condition to screen, a
corrected (voided or amended) event, or a course end with the post-treatment test.

The courses are dated back from one evaluation day (``AS_OF``) so that every document is a
six-month course on that day: some still on treatment with the sixth prescription waiting, some
ended. The generator is deterministic for a given seed and course number.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

TIMELINE_SCHEMA = "isotrack.timeline/1"
AS_OF = dt.date(2026, 11, 30)
MONTHS = 6

POLICIES: tuple[str, ...] = ("us-ipledge-2026", "us-ipledge-2023", "eu-ppp-2018", "uk-mhra-2023")
CONTRACEPTION: tuple[list[str], ...] = (
    ["combined_oral_contraceptive", "male_condom"],
    ["hormonal_iud", "male_condom"],
    ["implant", "male_condom"],
    ["iud", "male_condom"],
)
ADVERSE_TERMS = ("cheilitis", "dry_eye", "headache", "musculoskeletal_pain", "nasal_dryness")
MEDICINES = ("doxycycline 100 mg", "ibuprofen", "combined oral contraceptive", "vitamin A")
CONDITIONS = ("diabetes", "history of depression", "obesity", "asthma")


def six_month_course(number: int, seed: int = 20261130, as_of: dt.date = AS_OF) -> dict[str, Any]:
    """Course ``number`` as an ``isotrack.timeline/1`` document."""
    rng = random.Random(seed * 1_000_003 + number)
    policy = POLICIES[number % len(POLICIES)]
    us = policy.startswith("us-")
    uk = policy.startswith("uk-")
    can_get_pregnant = rng.random() < 0.7
    female = can_get_pregnant or rng.random() < 0.3
    ended = rng.random() < 0.3
    product = "isotretinoin-us" if us else "isotretinoin-eu"
    weight_kg = round(rng.uniform(48.0, 105.0), 1)
    dose_mg = 20.0 if weight_kg < 60 else 40.0
    # The sixth prescription is written 0-3 days before the evaluation day (on treatment), or
    # the course ended up to 20 days before it.
    last_rx = as_of - dt.timedelta(days=rng.randint(0, 3) + (30 + rng.randint(0, 20)) * ended)
    rx_days = [last_rx - dt.timedelta(days=30 * (MONTHS - m)) for m in range(1, MONTHS + 1)]
    first_visit = rx_days[0] - dt.timedelta(days=30 if can_get_pregnant else 3)
    events: list[dict[str, Any]] = []

    def add(event_type: str, day: dt.date, **fields: Any) -> str:
        event_id = f"e{len(events) + 1}"
        events.append({"id": event_id, "type": event_type, "date": day.isoformat(), **fields})
        return event_id

    def labs(day: dt.date) -> None:
        add("lab_result", day, test="alt", value=rng.randint(12, 60), unit="U/L",
            reference_high=40)  # fmt: skip
        add("lab_result", day, test="ast", value=rng.randint(12, 45), unit="U/L",
            reference_high=40)  # fmt: skip
        add("lab_result", day, test="triglycerides", value=round(rng.uniform(0.6, 3.5), 2),
            unit="mmol/L", reference_high=2.0)  # fmt: skip
        add("lab_result", day, test="cholesterol_total", value=rng.randint(140, 260),
            unit="mg/dL", reference_high=200)  # fmt: skip

    def phq9(day: dt.date) -> None:
        add("mood_screen", day, item_scores=[rng.choice((0, 0, 0, 1, 1, 2)) for _ in range(9)])

    category = "can_get_pregnant" if can_get_pregnant else "cannot_get_pregnant"
    add("enrolment", first_visit, category=category)
    add("counselling", first_visit, topics=["pregnancy_prevention", "side_effects"])
    add("assessment", first_visit, kind="mental_health", concern=False)
    if uk:
        add("assessment", first_visit, kind="sexual_function", concern=False)
    add("weight", first_visit, weight_kg=weight_kg)
    labs(first_visit)
    phq9(first_visit)
    if can_get_pregnant:
        add("contraception", first_visit, methods=rng.choice(CONTRACEPTION),
            started_on=(first_visit - dt.timedelta(days=35)).isoformat())  # fmt: skip
        add("pregnancy_test", first_visit, result="negative", kind="urine", setting="medical",
            sensitivity_miu_per_ml=25)  # fmt: skip
    if rng.random() < 0.3:
        add("medication", first_visit, name=rng.choice(MEDICINES))
    if rng.random() < 0.15:
        add("condition", first_visit, term=rng.choice(CONDITIONS))
    for month, rx_day in enumerate(rx_days, start=1):
        if can_get_pregnant:
            add("pregnancy_test", rx_day - dt.timedelta(days=rng.randint(0, 2)),
                result="negative", kind="serum", setting="laboratory",
                sensitivity_miu_per_ml=25)  # fmt: skip
            add("comprehension_check", rx_day, passed=True)
        add("counselling", rx_day, topics=["pregnancy_prevention"])
        add("visit", rx_day)
        if month > 1:
            phq9(rx_day)
            add("assessment", rx_day, kind="mental_health", concern=False)
            if uk:
                add("assessment", rx_day, kind="sexual_function", concern=False)
            if month in (2, 3) or month % 2 == 1:
                labs(rx_day - dt.timedelta(days=1))
            if rng.random() < 0.15:
                add("adverse_event", rx_day, term=rng.choice(ADVERSE_TERMS),
                    severity=rng.randint(1, 3))  # fmt: skip
            if month == 3 and rng.random() < 0.5:
                add("weight", rx_day, weight_kg=round(weight_kg + rng.uniform(-3, 3), 1))
        rx_id = add("prescription", rx_day, product=product, daily_dose_mg=dose_mg,
                    days_supply=30)  # fmt: skip
        if month == 1:
            add("course_start", rx_day + dt.timedelta(days=1))
        if month < MONTHS or ended:
            add("dispense", rx_day + dt.timedelta(days=1), prescription_id=rx_id, days_supply=30,
                authorization_code=f"RMA{number:07d}{month}")  # fmt: skip
    if ended:
        end_day = rx_days[-1] + dt.timedelta(days=30)
        add("course_end", end_day)
        if can_get_pregnant and end_day < as_of:
            add("pregnancy_test", end_day, result="negative", kind="urine", setting="medical",
                sensitivity_miu_per_ml=25)  # fmt: skip
    events.sort(key=lambda e: e["date"])  # recorded in calendar order
    correction = rng.random()
    if correction < 0.05:  # a mistyped visit, voided
        target = next(e for e in events if e["type"] == "visit")
        add("void", dt.date.fromisoformat(target["date"]), target_id=target["id"],
            reason="entered in the wrong course")  # fmt: skip
    elif correction < 0.10:  # a weight corrected
        target = next(e for e in events if e["type"] == "weight")
        add("amend", dt.date.fromisoformat(target["date"]), target_id=target["id"],
            changes={"weight_kg": round(target["weight_kg"] + 1.0, 1)},
            reason="scale read wrongly")  # fmt: skip
    return {
        "schema": TIMELINE_SCHEMA,
        "policy": policy,
        "patient": {
            "id": f"bench-{number:07d}",
            "birth_date": dt.date(
                rng.randint(1980, 2007), rng.randint(1, 12), rng.randint(1, 28)
            ).isoformat(),
            "sex_at_birth": "female" if female else "male",
            "can_get_pregnant": can_get_pregnant,
        },
        "events": events,
    }
