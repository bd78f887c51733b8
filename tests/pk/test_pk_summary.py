"""The assessment's ``pk`` section says what the full course curve says about the washout.

``pk_summary`` computes the levels only after the last dose (the washout reads nothing else);
``course_report`` draws the whole course. For every programme scenario and for courses with
changing doses, pauses and a switch of product, on days during and after treatment, both give
the same washout, to the digit.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from isotrack.domain.timeline import Timeline, load_timeline
from isotrack.engines.dose import evaluate_dose
from isotrack.engines.pk.report import course_report
from isotrack.engines.pk.summary import pk_summary
from isotrack.knowledge import Knowledge
from timeline_cases import event, patient, timeline

SCENARIOS = Path(__file__).resolve().parent.parent / "programme" / "scenarios"
DAYS = ("2026-01-20", "2026-03-01", "2026-06-15", "2026-11-15", "2027-02-01")


def _changing_course() -> Timeline:
    # Sam: 40 mg of Claravis, up to 60 mg, a week's pause, then Absorica 40 mg until April.
    return timeline(
        event("w1", "weight", "2026-01-02", weight_kg=72),
        event("rx1", "prescription", "2026-01-05", product="claravis", daily_dose_mg=40,
              days_supply=30),
        event("d1", "dispense", "2026-01-05", prescription_id="rx1", days_supply=30),
        event("up", "dose_change", "2026-01-20", daily_dose_mg=60),
        event("p", "pause", "2026-02-01"),
        event("r", "resume", "2026-02-08"),
        event("rx2", "prescription", "2026-02-10", product="absorica", daily_dose_mg=40,
              days_supply=60),
        event("d2", "dispense", "2026-02-11", prescription_id="rx2", days_supply=60),
        event("end", "course_end", "2026-04-10"),
        policy="us-ipledge-2026",
        patient=patient("pt-sam", "1999-07-01", "male", can_get_pregnant=False),
    )  # fmt: skip


def _short_course() -> Timeline:
    # Kim stopped after five days of 20 mg: far from steady state, a shorter washout.
    return timeline(
        event("w1", "weight", "2026-01-02", weight_kg=58),
        event("rx1", "prescription", "2026-01-05", product="absorica", daily_dose_mg=20,
              days_supply=30),
        event("d1", "dispense", "2026-01-05", prescription_id="rx1", days_supply=30),
        event("end", "course_end", "2026-01-09"),
        policy="eu-ppp-2018",
        patient=patient("pt-kim", "2002-02-11", "female", can_get_pregnant=False),
    )  # fmt: skip


def _courses() -> list[Timeline]:
    scenarios = [
        load_timeline(p.read_text(encoding="utf-8")) for p in sorted(SCENARIOS.glob("*.json"))
    ]
    return [*scenarios, _changing_course(), _short_course()]


@pytest.mark.parametrize("day", DAYS)
def test_the_summary_gives_the_washout_of_the_whole_curve(knowledge: Knowledge, day: str) -> None:
    as_of = dt.date.fromisoformat(day)
    compared = 0
    for course in _courses():
        full = course_report(knowledge, course, as_of)
        summary = pk_summary(knowledge, course, as_of)
        if full is None:
            assert summary is None
            continue
        assert summary is not None
        assert summary.washout == full.washout
        assert summary.washout_days == full.washout_days
        assert summary.first_dose_date == full.first_dose_date
        assert summary.model_state == full.model_state
        assert summary.notes == full.notes
        # The dose engine's answer handed in gives the same summary as one worked out inside.
        dose = evaluate_dose(knowledge, course, as_of)
        assert pk_summary(knowledge, course, as_of, dose) == summary
        compared += 1
    assert compared >= 1


def test_the_scenarios_have_washouts_to_compare(knowledge: Knowledge) -> None:
    found = [pk_summary(knowledge, c, dt.date(2027, 2, 1)) for c in _courses()]
    days = {s.washout_days for s in found if s is not None}
    assert len(days) >= 3  # courses of different lengths and doses: not one washout for all
