"""Each source of a clinical hold, with and without a prescriber's review (issue 10).

Rules under test are the ``[[clinical_hold]]`` records of ``knowledge/data/safety.toml``;
each assertion names the rule id and its sources.
"""

from __future__ import annotations

from isotrack.engines.holds import clinical_safety
from isotrack.engines.programme import decide_dispense
from isotrack.knowledge import Knowledge

from .conftest import DISPENSE_DAY, course, lab, phq9, review

TG_HOLD = "TG_PANCREATITIS_RISK:tg1"


def test_the_base_story_is_authorized_so_every_refusal_below_is_a_clinical_hold(
    knowledge: Knowledge,
) -> None:
    decision = decide_dispense(knowledge, course(), DISPENSE_DAY)
    assert decision.authorized and decision.programme_met
    assert decision.clinical_holds == [] and decision.course_status == "active"


# --- triglycerides in the pancreatitis band (hold.triglycerides.pancreatitis_band) ---


def test_triglycerides_of_1200_hold_the_dispense_though_the_programme_is_met(
    knowledge: Knowledge,
) -> None:
    timeline = course(lab("tg1", "2024-04-04", "triglycerides", 1200, "mg/dL"))
    decision = decide_dispense(knowledge, timeline, DISPENSE_DAY)
    assert decision.programme_met is True
    assert decision.authorized is False  # hold.triglycerides.pancreatitis_band (us-plr-w)
    (hold,) = decision.clinical_holds
    assert hold.alert_id == TG_HOLD and hold.code == "TG_PANCREATITIS_RISK"
    assert hold.action.startswith("Do not dispense; contact the prescriber")
    assert {"us-plr-w", "mon-endo-tg-2012"} <= set(hold.source_ids)
    assert decision.course_status == "on clinical hold"


def test_a_continue_review_lifts_the_triglyceride_hold(knowledge: Knowledge) -> None:
    timeline = course(
        lab("tg1", "2024-04-04", "triglycerides", 1200, "mg/dL"),
        review("rv1", "2024-04-05", TG_HOLD, "continue", "non-fasting sample; fenofibrate"),
    )
    decision = decide_dispense(knowledge, timeline, DISPENSE_DAY)
    assert decision.authorized
    safety = clinical_safety(knowledge, timeline, DISPENSE_DAY)
    (tracked,) = safety.alerts
    assert tracked.state == "reviewed" and not tracked.holding
    assert tracked.review is not None and tracked.review.reviewed_by == "dr-lee"


def test_a_hold_review_keeps_the_hold(knowledge: Knowledge) -> None:
    timeline = course(
        lab("tg1", "2024-04-04", "triglycerides", 1200, "mg/dL"),
        review("rv1", "2024-04-05", TG_HOLD, "hold", "repeat fasting lipids first"),
    )
    decision = decide_dispense(knowledge, timeline, DISPENSE_DAY)
    assert not decision.authorized
    assert decision.clinical_holds[0].state == "reviewed"


def test_a_later_result_below_the_band_resolves_the_alert_and_keeps_it_on_record(
    knowledge: Knowledge,
) -> None:
    timeline = course(
        lab("tg1", "2024-04-03", "triglycerides", 1200, "mg/dL"),
        lab("tg2", "2024-04-05", "triglycerides", 300, "mg/dL"),
    )
    decision = decide_dispense(knowledge, timeline, DISPENSE_DAY)
    assert decision.authorized
    (tracked,) = clinical_safety(knowledge, timeline, DISPENSE_DAY).alerts
    assert tracked.state == "resolved" and tracked.resolved_by_event_id == "tg2"


def test_a_newer_high_result_after_a_continue_opens_a_new_alert_and_a_new_hold(
    knowledge: Knowledge,
) -> None:
    timeline = course(
        lab("tg1", "2024-04-02", "triglycerides", 1200, "mg/dL"),
        review("rv1", "2024-04-03", TG_HOLD, "continue", "treating"),
        lab("tg2", "2024-04-05", "triglycerides", 1500, "mg/dL"),
    )
    decision = decide_dispense(knowledge, timeline, DISPENSE_DAY)
    assert [h.alert_id for h in decision.clinical_holds] == ["TG_PANCREATITIS_RISK:tg2"]
    states = {
        t.alert.id: t.state for t in clinical_safety(knowledge, timeline, DISPENSE_DAY).alerts
    }
    assert states == {"TG_PANCREATITIS_RISK:tg2": "open", TG_HOLD: "superseded"}


# --- liver stop rule (hold.liver.stop_rule) ---


def test_alt_past_the_policy_stop_rule_holds(knowledge: Knowledge) -> None:
    # us-ipledge-2023 picks single_parameter_3x_uln: ALT 130 U/L with ULN 40 is 3.25 x ULN.
    timeline = course(lab("alt1", "2024-04-04", "alt", 130, "U/L", reference_high=40))
    decision = decide_dispense(knowledge, timeline, DISPENSE_DAY)
    assert [h.code for h in decision.clinical_holds] == ["LAB_STOP_SINGLE_PARAMETER"]
    assert decision.clinical_holds[0].hold_rule_id == "hold.liver.stop_rule"


def test_alt_back_below_the_stop_rule_resolves_it(knowledge: Knowledge) -> None:
    timeline = course(
        lab("alt1", "2024-04-01", "alt", 130, "U/L", reference_high=40),
        lab("alt2", "2024-04-05", "alt", 45, "U/L", reference_high=40),
    )
    assert decide_dispense(knowledge, timeline, DISPENSE_DAY).authorized
    (tracked,) = clinical_safety(knowledge, timeline, DISPENSE_DAY).alerts
    assert tracked.state == "resolved"


# --- mood (hold.mood.suicidal_ideation, hold.mood.severe) ---


def test_item_9_holds_and_stays_open_after_a_later_normal_screen(knowledge: Knowledge) -> None:
    timeline = course(
        phq9("m1", "2024-04-01", [1, 1, 0, 0, 0, 0, 0, 0, 1]),
        phq9("m2", "2024-04-05", [0, 0, 0, 0, 0, 0, 0, 0, 0]),
    )
    decision = decide_dispense(knowledge, timeline, DISPENSE_DAY)
    assert [h.alert_id for h in decision.clinical_holds] == ["MOOD_SUICIDAL_IDEATION:m1"]
    assert not decision.authorized  # hold.mood.suicidal_ideation: only a review ends it


def test_item_9_reviewed_with_continue_no_longer_holds(knowledge: Knowledge) -> None:
    timeline = course(
        phq9("m1", "2024-04-01", [1, 1, 0, 0, 0, 0, 0, 0, 1]),
        review("rv1", "2024-04-02", "MOOD_SUICIDAL_IDEATION:m1", "continue", "seen same day; safe"),
    )
    assert decide_dispense(knowledge, timeline, DISPENSE_DAY).authorized


def test_a_severe_phq9_holds(knowledge: Knowledge) -> None:
    timeline = course(phq9("m1", "2024-04-04", [3, 3, 3, 3, 3, 3, 2, 1, 0]))
    decision = decide_dispense(knowledge, timeline, DISPENSE_DAY)
    assert [h.code for h in decision.clinical_holds] == ["MOOD_PHQ9_SEVERE"]


# --- red-flag adverse events (hold.adverse_event.red_flag) ---


def test_each_red_flag_adverse_event_holds(knowledge: Knowledge) -> None:
    terms = ["severe headache with visual change", "severe abdominal pain", "bloody diarrhoea",
             "stevens-johnson syndrome", "hearing loss", "vision loss"]  # fmt: skip
    for index, term in enumerate(terms):
        event = {"id": f"ae{index}", "type": "adverse_event", "date": "2024-04-04",
                 "term": term, "severity": 3}  # fmt: skip
        decision = decide_dispense(knowledge, course(event), DISPENSE_DAY)
        assert [h.code for h in decision.clinical_holds] == ["ADVERSE_RED_FLAG"], term


def test_a_stop_review_stops_the_course(knowledge: Knowledge) -> None:
    event = {"id": "ae1", "type": "adverse_event", "date": "2024-04-04",
             "term": "severe abdominal pain", "severity": 4}  # fmt: skip
    timeline = course(event, review("rv1", "2024-04-05", "ADVERSE_RED_FLAG:ae1", "stop", "ERCP"))
    decision = decide_dispense(knowledge, timeline, DISPENSE_DAY)
    assert not decision.authorized and decision.course_status == "stopped: alert review"


def test_a_review_of_an_unknown_alert_lifts_nothing_and_is_shown(knowledge: Knowledge) -> None:
    timeline = course(
        lab("tg1", "2024-04-04", "triglycerides", 1200, "mg/dL"),
        review("rv1", "2024-04-05", "TG_PANCREATITIS_RISK:tg9", "continue", "typo"),
    )
    safety = clinical_safety(knowledge, timeline, DISPENSE_DAY)
    assert safety.on_hold and [r.event_id for r in safety.unmatched_reviews] == ["rv1"]


# --- pregnancy (hold.pregnancy) ---


def test_a_positive_test_stops_the_course_and_a_review_cannot_lift_it(knowledge: Knowledge) -> None:
    test = {"id": "pos", "type": "pregnancy_test", "date": "2024-04-05", "result": "positive",
            "kind": "serum", "setting": "laboratory"}  # fmt: skip
    timeline = course(test, review("rv1", "2024-04-05", "PREGNANCY_POSITIVE_TEST:pos", "continue"))
    decision = decide_dispense(knowledge, timeline, DISPENSE_DAY)
    assert decision.course_status == "stopped: pregnancy"
    assert [h.code for h in decision.clinical_holds] == ["PREGNANCY_POSITIVE_TEST"]
    assert not decision.authorized


def test_a_reported_pregnancy_stops_a_course_recorded_as_unable_to_get_pregnant(
    knowledge: Knowledge,
) -> None:
    reported = {"id": "preg", "type": "pregnancy_reported", "date": "2024-04-05"}
    timeline = course(reported, can_get_pregnant=False)
    decision = decide_dispense(knowledge, timeline, DISPENSE_DAY)
    assert decision.course_status == "stopped: pregnancy" and not decision.authorized
    assert [h.alert_id for h in decision.clinical_holds] == ["PREGNANCY_REPORTED:preg"]


def test_a_voided_positive_test_no_longer_holds(knowledge: Knowledge) -> None:
    test = {"id": "pos", "type": "pregnancy_test", "date": "2024-04-05", "result": "positive",
            "kind": "urine", "setting": "home"}  # fmt: skip
    void = {"id": "v1", "type": "void", "date": "2024-04-05", "target_id": "pos",
            "reason": "entered on the wrong patient"}  # fmt: skip
    assert decide_dispense(knowledge, course(test, void), DISPENSE_DAY).authorized
