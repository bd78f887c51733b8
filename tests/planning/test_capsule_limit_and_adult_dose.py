"""The planner never lowers a labelled dose by default, and warns about adult-only US doses.

Issue 11, item 9: no label caps capsules per day (Roaccutane SmPC, US labels); the default of 4
turned Roaccutane 1 mg/kg for 90 kg into 80 mg and the US 2 mg/kg table into 160 mg. A cap is a
setting the plan shows. US labels give up to 2 mg/kg/day to adults (us-gen, us-abs).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from isotrack.engines.planner import CoursePlan, PlanRequest, plan_course
from isotrack.knowledge import Knowledge, load_knowledge


@pytest.fixture(scope="module")
def knowledge() -> Knowledge:
    return load_knowledge()


def plan(knowledge: Knowledge, **asked: Any) -> CoursePlan:
    request = {"start": dt.date(2026, 3, 2), "birth_date": dt.date(1996, 5, 1), **asked}
    return plan_course(knowledge, PlanRequest(**request))


def codes(plan: CoursePlan) -> list[str]:
    return [w.code for w in plan.warnings]


def test_roaccutane_1_mg_per_kg_for_90_kg_gives_90_mg(knowledge: Knowledge) -> None:
    found = plan(knowledge, product="roaccutane", weight_kg=90, mg_per_kg_per_day=1.0)
    assert found.phases[0].daily_dose_mg == pytest.approx(90)
    assert "dose_capped_by_capsule_limit" not in codes(found)
    assert "capsule_limit_set" not in codes(found)


def test_the_us_2_mg_per_kg_dose_for_80_kg_gives_160_mg(knowledge: Knowledge) -> None:
    found = plan(knowledge, product="claravis", weight_kg=80, mg_per_kg_per_day=2.0)
    assert found.phases[0].daily_dose_mg == pytest.approx(160)
    assert "dose_capped_by_capsule_limit" not in codes(found)


def test_a_capsule_limit_the_prescriber_sets_is_shown_and_flags_what_it_cuts(
    knowledge: Knowledge,
) -> None:
    found = plan(
        knowledge, product="roaccutane", weight_kg=90, mg_per_kg_per_day=1.0, max_capsules_per_day=4
    )
    assert found.max_capsules_per_day == 4
    assert {"capsule_limit_set", "dose_capped_by_capsule_limit"} <= set(codes(found))


@pytest.mark.parametrize(
    ("birth_date", "mg_per_kg", "warned"),
    [
        (dt.date(2009, 5, 1), 1.5, True),  # 16 at the start
        (dt.date(2008, 3, 3), 1.5, True),  # 17, a day short of 18
        (dt.date(2008, 3, 2), 1.5, False),  # 18 on the start day
        (dt.date(2009, 5, 1), 1.0, False),  # the usual range is not adult-only
    ],
)
def test_us_doses_above_1_mg_per_kg_are_for_adults(
    knowledge: Knowledge, birth_date: dt.date, mg_per_kg: float, warned: bool
) -> None:
    found = plan(
        knowledge, product="claravis", weight_kg=60, mg_per_kg_per_day=mg_per_kg,
        birth_date=birth_date,
    )  # fmt: skip
    assert ("us_high_dose_adults_only" in codes(found)) is warned


def test_the_adult_only_warning_is_a_us_rule(knowledge: Knowledge) -> None:
    found = plan(
        knowledge, product="roaccutane", weight_kg=60, mg_per_kg_per_day=1.5,
        birth_date=dt.date(2009, 5, 1),
    )  # fmt: skip
    assert "us_high_dose_adults_only" not in codes(found)
