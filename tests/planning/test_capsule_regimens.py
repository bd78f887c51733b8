"""Capsule regimens: exact combinations first, otherwise the closest short repeating pattern."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from isotrack.engines.regimen import achievable_doses, choose_regimen

CLARAVIS_MG = [10.0, 20.0, 30.0, 40.0]
ROACCUTANE_MG = [10.0, 20.0]
ABSORICA_LD_MG = [8.0, 16.0, 20.0, 24.0, 28.0, 32.0]
WEEK = 7
FLOAT_SLACK_MG = 1e-9  # rounding of binary floats, far below any capsule size


def test_60_kg_at_half_a_mg_per_kg_on_claravis_is_one_30_mg_capsule() -> None:
    # 60 kg x 0.5 mg/kg/day = 30 mg; Claravis has a 30 mg capsule, so one capsule a day.
    choice = choose_regimen(30.0, CLARAVIS_MG, max_capsules_per_day=4, max_pattern_days=WEEK)
    assert choice.exact
    assert len(choice.days) == 1
    assert [(c.strength_mg, c.count) for c in choice.days[0].capsules] == [(30.0, 1)]


def test_35_mg_on_roaccutane_alternates_30_and_40_mg() -> None:
    # 70 kg x 0.5 = 35 mg/day. Roaccutane comes in 10 and 20 mg only: 35 is not reachable on one
    # day, so days of 30 mg (20 + 10) and 40 mg (20 + 20) alternate: (30 + 40) / 2 = 35 exactly.
    choice = choose_regimen(35.0, ROACCUTANE_MG, max_capsules_per_day=4, max_pattern_days=WEEK)
    assert choice.exact
    assert [d.dose_mg for d in choice.days] == [30.0, 40.0]
    assert [(c.strength_mg, c.count) for c in choice.days[0].capsules] == [(20.0, 1), (10.0, 1)]
    assert [(c.strength_mg, c.count) for c in choice.days[1].capsules] == [(20.0, 2)]


def test_fewest_capsules_win_among_exact_combinations() -> None:
    # 60 mg on Claravis: 30 + 30, 40 + 20 and 20 + 20 + 20 all give 60; two capsules beat three,
    # and between the two-capsule choices the one using a single strength is simpler to dispense.
    choice = choose_regimen(60.0, CLARAVIS_MG, max_capsules_per_day=4, max_pattern_days=WEEK)
    assert choice.days[0].capsule_count == 2
    assert [(c.strength_mg, c.count) for c in choice.days[0].capsules] == [(30.0, 2)]


def test_split_doses_prefer_two_capsules_divided_evenly() -> None:
    # 30 mg split in two on Claravis: one 30 mg capsule cannot be split, so 20 mg in the morning
    # and 10 mg in the evening (the most even split of a reachable pair).
    choice = choose_regimen(
        30.0, CLARAVIS_MG, max_capsules_per_day=4, max_pattern_days=WEEK, split=True
    )
    day = choice.days[0]
    assert day.intakes is not None
    assert [(i.time, i.dose_mg) for i in day.intakes] == [("morning", 20.0), ("evening", 10.0)]


def test_a_pattern_gets_as_close_as_a_week_allows() -> None:
    # 0.8 mg/kg/day at 73 kg on Absorica LD = 58.4 mg. Neighbouring reachable doses are 56 (28+28)
    # and 60 (32+28): 58.4 = 56 + 0.6 x 4, and 3/5 = 0.6 exactly, so a 5-day pattern with three
    # 60 mg days and two 56 mg days has mean (3 x 60 + 2 x 56) / 5 = 292 / 5 = 58.4 mg.
    choice = choose_regimen(58.4, ABSORICA_LD_MG, max_capsules_per_day=4, max_pattern_days=WEEK)
    assert choice.exact
    assert sorted(d.dose_mg for d in choice.days) == [56.0, 56.0, 60.0, 60.0, 60.0]


def test_a_dose_beyond_the_capsule_limit_is_capped_and_flagged() -> None:
    # 2 mg/kg/day at 150 kg = 300 mg; four 40 mg capsules make 160 mg at most.
    choice = choose_regimen(300.0, CLARAVIS_MG, max_capsules_per_day=4, max_pattern_days=WEEK)
    assert choice.capped_by_capsule_limit
    assert choice.mean_mg == 160.0


def test_a_dose_below_the_smallest_capsule_leaves_days_without_one() -> None:
    # 0.1 mg/kg/day at 50 kg = 5 mg: with 10 mg the smallest capsule, 10 mg every other day.
    choice = choose_regimen(5.0, ROACCUTANE_MG, max_capsules_per_day=4, max_pattern_days=WEEK)
    assert choice.includes_days_without_capsule
    assert [d.dose_mg for d in choice.days] == [0.0, 10.0]


strengths = st.sampled_from([CLARAVIS_MG, ROACCUTANE_MG, ABSORICA_LD_MG, [10.0, 20.0, 40.0]])


@settings(max_examples=150, deadline=None)
@given(
    strengths_mg=strengths,
    target_mg=st.floats(min_value=4.0, max_value=200.0, allow_nan=False),
    max_capsules=st.integers(min_value=1, max_value=6),
    pattern_days=st.integers(min_value=1, max_value=WEEK),
    split=st.booleans(),
)
def test_any_regimen_is_within_the_best_achievable_step_and_the_capsule_limit(
    strengths_mg: list[float], target_mg: float, max_capsules: int, pattern_days: int, split: bool
) -> None:
    choice = choose_regimen(target_mg, strengths_mg, max_capsules, pattern_days, split)
    # No day holds more capsules than allowed.
    assert all(d.capsule_count <= max_capsules for d in choice.days)
    assert len(choice.days) <= pattern_days
    if choice.capped_by_capsule_limit:
        assert choice.mean_mg == max(achievable_doses(strengths_mg, max_capsules))
        return
    # Two neighbouring reachable doses a < target < b; a pattern of up to N days can place its mean
    # on a + k(b - a)/N, so the best is never further than half a step of (b - a)/N away.
    step = (choice.upper_mg - choice.lower_mg) / pattern_days
    assert abs(choice.mean_mg - target_mg) <= step / 2 + FLOAT_SLACK_MG
