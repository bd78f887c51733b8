"""Dose progress from real timelines: calendar days, pauses, missed doses, supply, weights."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from planning_cases import course, day, dispense, event, prescription, weight

from isotrack.domain.timeline import Timeline
from isotrack.engines.dose import evaluate_dose
from isotrack.knowledge import Knowledge
from timeline_cases import patient, timeline


def test_missed_days_and_an_exhausted_supply_are_not_counted(knowledge: Knowledge) -> None:
    # 30 mg from 5 Jan with one 30-day dispense; 10 and 11 Jan missed.
    # 5 Jan - 10 Feb inclusive = 37 days: 2 missed, 30 taken (the supply), 5 with nothing left.
    # mg/kg at each dose date: 25 January doses at 60 kg = 750 / 60 = 12.5, and 5 February doses
    # at 62 kg = 150 / 62 = 2.419...; total 14.919 mg/kg. With the latest weight: 900 / 62 = 14.516.
    timeline = course(
        weight("w1", "2026-01-02", 60),
        prescription("rx1", "2026-01-02", 30),
        dispense("d1", "2026-01-05", "rx1"),
        event("start", "course_start", "2026-01-05"),
        event("miss", "dose_missed", "2026-01-10", days=2),
        weight("w2", "2026-02-01", 62),
    )
    progress = evaluate_dose(knowledge, timeline, day("2026-02-10"))
    assert (progress.days_taken, progress.days_missed, progress.days_without_supply) == (30, 2, 5)
    assert progress.cumulative_mg == 900.0
    assert progress.default_weight_basis == "weight_at_dose_date"
    assert progress.cumulative_mg_per_kg == pytest.approx(12.5 + 150 / 62)
    assert progress.by_latest_weight.cumulative_mg_per_kg == pytest.approx(900 / 62)
    assert progress.days_since_start == 36
    assert any("no dispensed supply" in r for r in progress.reasons)
    # A missed dose is skipped, never doubled (us-abs).
    assert "us-abs" in progress.source_ids


def test_a_pause_and_a_dose_change_across_month_ends_count_real_days(
    knowledge: Knowledge,
) -> None:
    # 40 mg from 20 Jan; paused 30 Jan, resumed 3 Feb; 60 mg from 25 Feb; as of 2 Mar.
    # 40 mg: 20-29 Jan = 10 days, then 3-24 Feb = 22 days -> 32 days x 40 = 1280 mg.
    # Paused 30, 31 Jan, 1, 2 Feb = 4 days. 60 mg: 25-28 Feb (2026 is not a leap year) = 4 days,
    # 1-2 Mar = 2 days -> 6 x 60 = 360 mg. Total 1640 mg over 38 days taken, at 80 kg =
    # 20.5 mg/kg. Target (us-ipledge-2026 -> label_120_150): 120 x 80 = 9600 mg; remaining
    # 9600 - 1640 = 7960 mg at 60 mg/day = 132.67 -> 133 days after 2 Mar = 13 Jul 2026.
    timeline = course(
        weight("w1", "2026-01-15", 80),
        prescription("rx1", "2026-01-15", 40, days=90),
        event("start", "course_start", "2026-01-20"),
        event("p", "pause", "2026-01-30"),
        event("r", "resume", "2026-02-03"),
        event("up", "dose_change", "2026-02-25", daily_dose_mg=60),
    )
    progress = evaluate_dose(knowledge, timeline, day("2026-03-02"))
    assert progress.supply_checked is False  # no dispense recorded: counted as prescribed
    assert (progress.days_taken, progress.days_paused) == (38, 4)
    assert progress.cumulative_mg == 1640.0
    assert progress.cumulative_mg_per_kg == pytest.approx(20.5)
    assert progress.target is not None and progress.target.position_id == "label_120_150"
    assert progress.remaining_mg == pytest.approx(7960.0)
    assert progress.projected_end_date == dt.date(2026, 7, 13)
    assert progress.average_mg_per_kg_per_day == pytest.approx(20.5 / 38)


def test_a_regimen_pattern_is_followed_day_by_day(knowledge: Knowledge) -> None:
    # Roaccutane 30 mg / 40 mg alternating from 1 Mar; as of 5 Mar: 30, 40, 30, 40, 30 = 170 mg.
    rx = prescription("rx1", "2026-03-01", 35, product="roaccutane")
    rx["regimen"] = [
        {"capsules": [{"strength_mg": 20, "count": 1}, {"strength_mg": 10, "count": 1}]},
        {"capsules": [{"strength_mg": 20, "count": 2}]},
    ]
    timeline = course(
        weight("w1", "2026-03-01", 70),
        rx,
        dispense("d1", "2026-03-01", "rx1"),
        event("start", "course_start", "2026-03-01"),
        policy="uk-mhra-2023",
    )
    progress = evaluate_dose(knowledge, timeline, day("2026-03-05"))
    assert progress.cumulative_mg == 170.0
    assert progress.current_daily_dose_mg == 35.0


def test_missing_weight_leaves_mg_per_kg_unknown_never_guessed(knowledge: Knowledge) -> None:
    timeline = course(
        prescription("rx1", "2026-01-02", 30),
        dispense("d1", "2026-01-05", "rx1"),
        event("start", "course_start", "2026-01-05"),
    )
    progress = evaluate_dose(knowledge, timeline, day("2026-01-14"))
    assert progress.cumulative_mg == 300.0  # 10 days x 30 mg
    assert progress.cumulative_mg_per_kg is None
    assert progress.by_latest_weight.cumulative_mg_per_kg is None
    assert progress.remaining_mg is None
    assert progress.by_weight_at_dose_date.unknown_reason is not None
    assert any("no weight" in reason for reason in progress.reasons)


def test_a_course_end_stops_counting_and_projection(knowledge: Knowledge) -> None:
    timeline = course(
        weight("w1", "2026-01-01", 50),
        prescription("rx1", "2026-01-01", 50, days=60),
        dispense("d1", "2026-01-01", "rx1", days=60),
        event("start", "course_start", "2026-01-01"),
        event("end", "course_end", "2026-01-31"),
    )
    progress = evaluate_dose(knowledge, timeline, day("2026-03-01"))
    assert progress.status == "ended"
    assert progress.cumulative_mg == 31 * 50.0  # 1-31 Jan inclusive
    assert progress.projected_end_date is None


def test_the_target_comes_from_the_argument_before_the_policy(knowledge: Knowledge) -> None:
    # 100 days x 60 mg at 60 kg = 100 mg/kg; with a 220 mg/kg target (blasiak) 120 mg/kg remain,
    # 120 x 60 = 7200 mg.
    timeline = course(
        weight("w1", "2026-01-01", 60),
        prescription("rx1", "2026-01-01", 60, days=120),
        event("start", "course_start", "2026-01-01"),
    )
    progress = evaluate_dose(knowledge, timeline, day("2026-04-10"), target_mg_per_kg=220)
    assert progress.cumulative_mg_per_kg == pytest.approx(100.0)
    assert progress.target is not None and progress.target.origin == "argument"
    assert progress.remaining_mg == pytest.approx(7200.0)


def test_a_target_already_reached_is_dated(knowledge: Knowledge) -> None:
    # 60 mg/day at 60 kg = 1 mg/kg/day: 120 mg/kg on day 120 = 30 Apr 2026 (Jan 31 + Feb 28 +
    # Mar 31 + Apr 30 = 120).
    timeline = course(
        weight("w1", "2026-01-01", 60),
        prescription("rx1", "2026-01-01", 60, days=150),
        event("start", "course_start", "2026-01-01"),
    )
    progress = evaluate_dose(knowledge, timeline, day("2026-05-10"))
    assert progress.by_weight_at_dose_date.target_reached_on == dt.date(2026, 4, 30)
    assert progress.remaining_mg == 0.0


def test_before_the_course_starts_nothing_has_been_taken(knowledge: Knowledge) -> None:
    timeline = course(weight("w1", "2026-01-01", 60))
    progress = evaluate_dose(knowledge, timeline, day("2026-01-10"))
    assert progress.status == "not_started"
    assert progress.cumulative_mg == 0.0


# --- Properties ----------------------------------------------------------------------------

START = dt.date(2026, 1, 20)


@st.composite
def courses(draw: st.DrawFn) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A course with random weights, dispenses, dose changes, misses and pauses over 120 days."""

    def on(offset: int) -> str:
        return (START + dt.timedelta(days=offset)).isoformat()

    events: list[dict[str, Any]] = [
        weight("w0", on(-3), draw(st.floats(min_value=40, max_value=120))),
        prescription("rx0", on(-3), draw(st.sampled_from([20, 30, 40, 60]))),
        event("start", "course_start", on(0)),
    ]
    if draw(st.booleans()):
        events.append(dispense("d0", on(0), "rx0", draw(st.integers(10, 60))))
    kinds = st.sampled_from(["weight", "dose_change", "dose_missed", "pause", "resume", "dispense"])
    for index in range(draw(st.integers(0, 8))):
        kind = draw(kinds)
        offset = draw(st.integers(1, 120))
        event_id = f"e{index}"
        if kind == "weight":
            events.append(weight(event_id, on(offset), draw(st.floats(40, 120))))
        elif kind == "dose_change":
            events.append(
                event(event_id, kind, on(offset), daily_dose_mg=draw(st.integers(10, 80)))
            )
        elif kind == "dose_missed":
            events.append(event(event_id, kind, on(offset), days=draw(st.integers(1, 5))))
        elif kind == "dispense":
            events.append(dispense(event_id, on(offset), "rx0", draw(st.integers(10, 30))))
        else:
            events.append(event(event_id, kind, on(offset)))
    return patient("pt-prop", "1990-01-01", "female", can_get_pregnant=False), events


def timeline_of(someone: dict[str, Any], events: list[dict[str, Any]]) -> Timeline:
    return timeline(*events, policy="eu-ppp-2018", patient=someone)


@settings(max_examples=60, deadline=None)
@given(case=courses(), offsets=st.lists(st.integers(-5, 140), min_size=2, max_size=5))
def test_cumulative_dose_never_decreases_as_the_as_of_date_advances(
    knowledge: Knowledge, case: tuple[dict[str, Any], list[dict[str, Any]]], offsets: list[int]
) -> None:
    timeline = timeline_of(*case)
    previous_mg, previous_per_kg = 0.0, 0.0
    for offset in sorted(offsets):
        progress = evaluate_dose(knowledge, timeline, START + dt.timedelta(days=offset))
        assert progress.cumulative_mg is not None
        assert progress.cumulative_mg >= previous_mg
        previous_mg = progress.cumulative_mg
        # With the weight of each dose date (the default basis), mg/kg never falls either.
        assert progress.cumulative_mg_per_kg is not None
        assert progress.cumulative_mg_per_kg >= previous_per_kg - 1e-9
        previous_per_kg = progress.cumulative_mg_per_kg


@settings(max_examples=60, deadline=None)
@given(case=courses(), pick=st.integers(0, 100), as_of_offset=st.integers(0, 140))
def test_voiding_an_event_equals_leaving_it_out(
    knowledge: Knowledge,
    case: tuple[dict[str, Any], list[dict[str, Any]]],
    pick: int,
    as_of_offset: int,
) -> None:
    patient, events = case
    target = events[pick % len(events)]
    as_of = START + dt.timedelta(days=as_of_offset)
    voided = [
        *events,
        event(
            "void1",
            "void",
            as_of.isoformat(),
            target_id=target["id"],
            reason="entered on the wrong patient",
        ),
    ]
    without = [e for e in events if e is not target]
    assert evaluate_dose(knowledge, timeline_of(patient, voided), as_of) == evaluate_dose(
        knowledge, timeline_of(patient, without), as_of
    )


def test_absorica_ld_progress_also_shows_the_conventional_equivalent(
    knowledge: Knowledge,
) -> None:
    # 32 mg Absorica LD for 10 days at 40 kg = 320 mg = 8 mg/kg raw. With food 32 mg LD matches
    # 40 mg conventional (madan, ratio 0.8): 320 / 0.8 = 400 mg = 10 mg/kg conventional-equivalent.
    timeline = course(
        weight("w1", "2026-01-01", 40),
        prescription("rx1", "2026-01-01", 32, product="absorica-ld"),
        dispense("d1", "2026-01-01", "rx1"),
        event("start", "course_start", "2026-01-01"),
    )
    progress = evaluate_dose(knowledge, timeline, day("2026-01-10"))
    assert progress.cumulative_mg_per_kg == pytest.approx(8.0)
    assert progress.conventional_equivalent_mg_per_kg == pytest.approx(10.0)
    assert "madan" in progress.source_ids
    # Issue 11 item 11: the basis of the cumulative figure is stated in the output.
    [basis] = [r for r in progress.reasons if r.startswith("Absorica LD:")]
    assert "counts Absorica LD milligrams as taken" in basis
    assert "the Absorica LD label sets none" in basis
    assert basis.endswith("in conventional-capsule terms about 10.0 mg/kg.")


def test_a_conventional_course_states_no_product_basis(knowledge: Knowledge) -> None:
    timeline = course(
        weight("w1", "2026-01-01", 40),
        prescription("rx1", "2026-01-01", 40, product="claravis"),
        dispense("d1", "2026-01-01", "rx1"),
        event("start", "course_start", "2026-01-01"),
    )
    progress = evaluate_dose(knowledge, timeline, day("2026-01-10"))
    assert not [r for r in progress.reasons if "conventional-capsule terms" in r]


def test_capsules_in_hand_without_a_recorded_start_count_from_the_dispense_as_inferred(
    knowledge: Knowledge,
) -> None:
    # Decision 14 (shared treatment period): with no course_start anywhere in the record, the
    # first dispense is day 1, labelled as inferred. 2-10 Jan = 9 days x 30 mg = 270 mg;
    # 270 mg / 60 kg = 4.5 mg/kg. (Before decision 14 this course was "unknown", intake null.)
    dispensed_only = course(
        weight("w1", "2026-01-01", 60),
        prescription("rx1", "2026-01-01", 30),
        dispense("d1", "2026-01-02", "rx1"),
    )
    inferred = evaluate_dose(knowledge, dispensed_only, day("2026-01-10"))
    assert inferred.status == "on_treatment"
    assert inferred.course_start == dt.date(2026, 1, 2)
    assert inferred.course_start_basis == "first_dispense"
    assert inferred.cumulative_mg == pytest.approx(270.0)
    assert inferred.cumulative_mg_per_kg == pytest.approx(4.5)
    assert any("inferred, not recorded" in r for r in inferred.reasons)
    # The same course with a start recorded for 12 Jan: the record says the first dose came
    # later, so as of 10 Jan nothing was taken yet and no start is inferred.
    started_later = course(
        weight("w1", "2026-01-01", 60),
        prescription("rx1", "2026-01-01", 30),
        dispense("d1", "2026-01-02", "rx1"),
        event("start", "course_start", "2026-01-12"),
    )
    waiting = evaluate_dose(knowledge, started_later, day("2026-01-10"))
    assert waiting.status == "not_started"
    assert waiting.course_start is None
    assert waiting.cumulative_mg == 0.0
    assert evaluate_dose(knowledge, started_later, day("2026-01-12")).course_start_basis == (
        "course_start"
    )


def test_a_last_dose_without_any_start_is_an_ended_course_of_unknown_total(
    knowledge: Knowledge,
) -> None:
    # Decision 14: a course_end with no course_start and no dispense still ends the course (so
    # the after-treatment rules run elsewhere); how much was taken is unknown, never zero.
    timeline = course(weight("w1", "2026-01-01", 60), event("end", "course_end", "2026-03-01"))
    progress = evaluate_dose(knowledge, timeline, day("2026-03-10"))
    assert progress.status == "ended"
    assert (progress.course_start, progress.course_end) == (None, dt.date(2026, 3, 1))
    assert progress.cumulative_mg is None
    assert progress.cumulative_mg_per_kg is None
