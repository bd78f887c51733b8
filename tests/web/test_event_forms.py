"""Event forms: what was typed comes back with each error beside its field."""

from __future__ import annotations

import pytest

from isotrack.domain.events import MoodScreened, WeightMeasured
from isotrack.web.event_forms import (
    FormErrors,
    build_forms,
    event_from_form,
    home_pregnancy_test_form,
)

FORMS = build_forms(products=[("claravis", "Claravis")], lab_tests=["triglycerides"])


def test_a_weight_in_words_is_refused_on_the_weight_field() -> None:
    with pytest.raises(FormErrors) as caught:
        event_from_form(
            FORMS["weight"], {"date": "2026-01-05", "weight_kg": "sixty"}, recorded_by="dr.a"
        )
    assert caught.value.by_field == {"weight_kg": "'sixty' is not a number"}


def test_a_weight_recorded_by_the_signed_in_user() -> None:
    event = event_from_form(
        FORMS["weight"], {"date": "2026-01-05", "weight_kg": "61.5"}, recorded_by="dr.a"
    )
    assert isinstance(event, WeightMeasured)
    assert event.weight_kg == 61.5 and event.recorded_by == "dr.a"


def test_a_lab_unit_that_is_not_a_unit_is_refused_next_to_the_unit_field() -> None:
    # The timeline contract reads every unit with the project's unit registry; "mgdl" is none.
    values = {"date": "2026-02-01", "test": "triglycerides", "value": "180", "unit": "mgdl"}
    with pytest.raises(FormErrors) as caught:
        event_from_form(FORMS["lab_result"], values, recorded_by="dr.a")
    assert set(caught.value.by_field) == {"unit"}
    assert "'mgdl'" in caught.value.by_field["unit"]


def test_phq9_with_an_unanswered_question_names_that_question() -> None:
    values = {"date": "2026-02-01", **{f"item_{i}": "0" for i in range(1, 9)}}
    with pytest.raises(FormErrors) as caught:
        event_from_form(FORMS["mood_screen"], values, recorded_by="pat")
    assert set(caught.value.by_field) == {"item_9"}


def test_phq9_item_nine_is_kept_in_position() -> None:
    # Item 9 (thoughts of self-harm) is the last of nine scores; the alert rule reads it there.
    values = {"date": "2026-02-01", **{f"item_{i}": "0" for i in range(1, 9)}, "item_9": "1"}
    event = event_from_form(FORMS["mood_screen"], values, recorded_by="pat")
    assert isinstance(event, MoodScreened)
    assert event.item_scores == [0, 0, 0, 0, 0, 0, 0, 0, 1]


def test_the_home_test_form_fixes_setting_and_specimen() -> None:
    event = event_from_form(
        home_pregnancy_test_form(), {"date": "2026-03-01", "result": "negative"}, recorded_by="p"
    )
    assert event.model_dump()["setting"] == "home"
    assert event.model_dump()["kind"] == "urine"


def test_contraception_keeps_every_ticked_method() -> None:
    values = {"date": "2026-01-05", "methods": ["iud", "male_condom"], "abstinence": "no"}
    event = event_from_form(FORMS["contraception"], values, recorded_by="dr.a")
    assert event.model_dump()["methods"] == ["iud", "male_condom"]


def test_every_form_in_the_issue_exists() -> None:
    # Issue 6: weight, prescription, pregnancy test, contraception, counselling, comprehension
    # check, lab result, side effect, PHQ-9, pause/resume, course end, void with reason.
    wanted = {
        "weight", "prescription", "pregnancy_test", "contraception", "counselling",
        "comprehension_check", "lab_result", "adverse_event", "mood_screen", "pause", "resume",
        "course_end", "void",
    }  # fmt: skip
    assert wanted <= set(FORMS)
