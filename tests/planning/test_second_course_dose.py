"""A second course starts its cumulative dose from zero (issue 11, item 10).

EU SmPC: a relapse may be treated with a second course of the same cumulative dose; every label
asks for a drug-free gap first (us-plr: 2 months; uk-smpc-2: 8 weeks). A restart at least the
policy's ``second_course_wait`` after the last dose is a new course; a shorter gap is a break in
the same course. Course 1: 60 kg, 30 mg a day from 5 Jan to 3 Feb 2026 (30 days, 900 mg).
"""

from __future__ import annotations

import datetime as dt

import pytest
from planning_cases import course, day, dispense, event, prescription, weight

from isotrack.engines.assessment import assess
from isotrack.engines.dose import evaluate_dose
from isotrack.knowledge import Knowledge


def two_courses(restart: str, policy: str) -> list[dict[str, object]]:
    return [
        weight("w1", "2026-01-02", 60),
        prescription("rx1", "2026-01-02", 30),
        dispense("d1", "2026-01-05", "rx1"),
        event("s1", "course_start", "2026-01-05"),
        event("e1", "course_end", "2026-02-03"),
        prescription("rx2", restart, 40),
        dispense("d2", restart, "rx2"),
        event("s2", "course_start", restart),
    ]


@pytest.mark.parametrize(
    ("policy", "restart", "new_course"),
    [
        ("eu-ppp-2018", "2026-03-31", True),  # 3 Feb + 8 weeks = 31 Mar
        ("eu-ppp-2018", "2026-03-30", False),  # a day short: a break in the same course
        ("us-ipledge-2026", "2026-04-03", True),  # 3 Feb + 2 months = 3 Apr
        ("us-ipledge-2026", "2026-04-02", False),
    ],
)
def test_a_restart_after_the_second_course_wait_counts_from_zero(
    knowledge: Knowledge, policy: str, restart: str, new_course: bool
) -> None:
    timeline = course(*two_courses(restart, policy), policy=policy)
    as_of = day(restart) + dt.timedelta(days=9)  # 10 days of 40 mg in the second course
    progress = evaluate_dose(knowledge, timeline, as_of)
    if new_course:
        assert progress.course_start == day(restart)
        assert progress.cumulative_mg == pytest.approx(400)
    else:
        assert progress.course_start == day("2026-01-05")
        assert progress.cumulative_mg == pytest.approx(900 + 400)


def test_earlier_courses_are_shown_beside_the_current_one(knowledge: Knowledge) -> None:
    timeline = course(*two_courses("2026-04-06", "eu-ppp-2018"), policy="eu-ppp-2018")
    result = assess(knowledge, timeline, day("2026-04-15"))
    [first] = result.earlier_courses
    assert (first.number, first.start, first.last_dose) == (1, day("2026-01-05"), day("2026-02-03"))
    assert first.cumulative_mg == pytest.approx(900)
    assert first.cumulative_mg_per_kg == pytest.approx(15)
    assert result.dose.cumulative_mg == pytest.approx(400)
