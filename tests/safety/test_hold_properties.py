"""Properties of clinical holds over generated courses (issue 10).

Any mix of hold-causing findings (a triglyceride in the pancreatitis band, ALT past the stop
rule, a PHQ-9 with item 9 answered, a red-flag adverse event) recorded before the third
dispense, with any reviews of them.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from isotrack.engines.programme import decide_dispense
from isotrack.knowledge import load_knowledge

from .conftest import DISPENSE_DAY, course, lab, phq9, review

KNOWLEDGE = load_knowledge()


def _finding(kind: str, index: int, day: int) -> tuple[dict[str, Any], str]:
    when = f"2024-04-0{day}"
    event_id = f"{kind}{index}"
    if kind == "tg":
        return lab(event_id, when, "triglycerides", 1100 + index, "mg/dL"), "TG_PANCREATITIS_RISK"
    if kind == "alt":
        return lab(
            event_id, when, "alt", 150, "U/L", reference_high=40
        ), "LAB_STOP_SINGLE_PARAMETER"
    if kind == "mood":
        return phq9(event_id, when, [1, 0, 0, 0, 0, 0, 0, 0, 1]), "MOOD_SUICIDAL_IDEATION"
    event = {"id": event_id, "type": "adverse_event", "date": when, "term": "hearing loss",
             "severity": 3}  # fmt: skip
    return event, "ADVERSE_RED_FLAG"


findings = st.lists(
    st.tuples(st.sampled_from(["tg", "alt", "mood", "ae"]), st.integers(1, 3)),
    min_size=1,
    max_size=3,
    unique_by=lambda pair: pair[0],
)
outcomes = st.lists(st.sampled_from(["continue", "hold", "stop", None]), min_size=3, max_size=3)
slow = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _events(chosen: list[tuple[str, int]]) -> tuple[list[dict[str, Any]], list[str]]:
    events, ids = [], []
    for index, (kind, day) in enumerate(chosen):
        event, code = _finding(kind, index, day)
        events.append(event)
        ids.append(f"{code}:{event['id']}")
    return events, ids


@slow
@given(findings, outcomes)
def test_an_open_hold_never_authorizes(
    chosen: list[tuple[str, int]], picks: list[str | None]
) -> None:
    events, ids = _events(chosen)
    paired = zip(ids, picks, strict=False)
    reviews = [
        review(f"rv{i}", "2024-04-05", alert_id, outcome)
        for i, (alert_id, outcome) in enumerate(paired)
        if outcome
    ]
    decision = decide_dispense(KNOWLEDGE, course(*events, *reviews), DISPENSE_DAY)
    assert decision.programme_met
    assert decision.authorized == (not decision.clinical_holds)
    lifted = {r["alert_id"] for r in reviews if r["outcome"] == "continue"}
    assert {h.alert_id for h in decision.clinical_holds} == set(ids) - lifted


@slow
@given(findings, st.data())
def test_a_review_lifts_only_its_own_alert(
    chosen: list[tuple[str, int]], data: st.DataObject
) -> None:
    events, ids = _events(chosen)
    target = data.draw(st.sampled_from(ids))
    before = decide_dispense(KNOWLEDGE, course(*events), DISPENSE_DAY)
    after = decide_dispense(
        KNOWLEDGE, course(*events, review("rv", "2024-04-05", target, "continue")), DISPENSE_DAY
    )
    assert {h.alert_id for h in before.clinical_holds} - {target} == {
        h.alert_id for h in after.clinical_holds
    }


@slow
@given(st.integers(1000, 5000), st.integers(1000, 5000))
def test_a_newer_causing_result_reopens_a_hold(first_mg_dl: int, second_mg_dl: int) -> None:
    timeline = course(
        lab("tg1", "2024-04-02", "triglycerides", first_mg_dl, "mg/dL"),
        review("rv", "2024-04-03", "TG_PANCREATITIS_RISK:tg1", "continue", "treated"),
        lab("tg2", "2024-04-05", "triglycerides", second_mg_dl, "mg/dL"),
    )
    decision = decide_dispense(KNOWLEDGE, timeline, DISPENSE_DAY)
    assert [h.alert_id for h in decision.clinical_holds] == ["TG_PANCREATITIS_RISK:tg2"]
    assert not decision.authorized


@slow
@given(st.integers(1, 5), st.sampled_from(["continue", "hold", "stop", None]), st.booleans())
def test_a_pregnancy_always_stops_the_course_and_opens_an_exposure_record(
    day: int, outcome: str | None, can_get_pregnant: bool
) -> None:
    from isotrack.engines.holds import pregnancy_exposure

    reported = {"id": "preg", "type": "pregnancy_reported", "date": f"2024-04-0{day}"}
    reviews = [review("rv", "2024-04-05", "PREGNANCY_REPORTED:preg", outcome)] if outcome else []
    timeline = course(reported, *reviews, can_get_pregnant=can_get_pregnant)
    decision = decide_dispense(KNOWLEDGE, timeline, DISPENSE_DAY)
    assert decision.course_status == "stopped: pregnancy" and not decision.authorized
    exposure = pregnancy_exposure(KNOWLEDGE, timeline, DISPENSE_DAY)
    assert exposure is not None and exposure.known_on.day == day
    assert exposure.follow_up_open and exposure.reporting
