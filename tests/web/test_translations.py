"""The patient's languages: every message the patient can see is in each catalogue, a missing
one fails, dates and numbers follow the language, and the schedule drops what is stale."""

from __future__ import annotations

import datetime as dt

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from isotrack.engines.programme.report import Role
from isotrack.engines.schedule import ScheduleItem
from isotrack.knowledge import load_knowledge
from isotrack.service.patient_self import patient_enters_monthly_steps
from isotrack.web.i18n import catalogue_path, choose_language, speaker
from isotrack.web.message_catalogue import missing_translations, patient_messages
from isotrack.web.patient_words import patient_steps
from timeline_cases import event, patient, timeline

KNOWLEDGE = load_knowledge()
MESSAGES = patient_messages(KNOWLEDGE)


@pytest.mark.parametrize("language", ["es", "ru"])
def test_every_patient_message_is_translated(language: str) -> None:
    with catalogue_path(language).open("rb") as handle:
        catalogue = read_po(handle, locale=language)
    assert missing_translations(catalogue, MESSAGES) == []


def test_a_catalogue_that_misses_a_message_or_a_placeholder_is_reported() -> None:
    catalogue = Catalog(locale="es")
    catalogue.add("On %(date)s", "El día")  # the date would be lost
    catalogue.add("Save", "")
    problems = missing_translations(catalogue, ["On %(date)s", "Save", "Sign out"])
    assert problems == [
        "placeholders differ: 'On %(date)s'",
        "not translated: 'Save'",
        "not translated: 'Sign out'",
    ]


def test_the_messages_include_the_questions_forms_and_steps_not_only_templates() -> None:
    assert "Can isotretinoin harm an unborn baby?" in MESSAGES  # knowledge
    assert "Number of days missed" in MESSAGES  # the clinic's form, patient's copy
    assert "Pick up your capsules at the pharmacy" in MESSAGES  # the schedule's words
    assert "Hello %(name)s," in MESSAGES  # the e-mail


def test_dates_and_numbers_are_written_the_way_each_language_writes_them() -> None:
    day = dt.date(2026, 3, 3)
    assert speaker("en").date(day) == "Tuesday, March 3, 2026"
    assert speaker("es").date(day) == "martes, 3 de marzo de 2026"
    assert speaker("ru").date(day) == "вторник, 3 марта 2026\u202fг."  # narrow no-break space
    assert speaker("es").number(1234.5, 1) == "1.234,5"
    assert speaker("ru").number(1234.5, 1) == "1\xa0234,5"


def test_the_language_is_the_account_s_then_the_browser_s_then_english() -> None:
    assert choose_language("ru", "es-MX,es;q=0.9") == "ru"
    assert choose_language(None, "fr-FR, es;q=0.3, ru;q=0.8") == "ru"
    assert choose_language(None, "es;q=0, de") == "en"
    assert choose_language("xx", None) == "en"


US_CGP = patient("p-1", "2002-01-01", "female", can_get_pregnant=True)


def test_a_pre_treatment_test_is_not_shown_once_the_first_capsule_is_taken() -> None:
    # The engine still lists the confirmation test (requirement open), dated 2026-02-01; the
    # patient took the first capsule on 2026-02-10: the item no longer applies to her.
    items = [
        ScheduleItem(date=dt.date(2026, 3, 1), who=Role.PATIENT, what="x",
                     requirement_id="test.confirmation"),
        ScheduleItem(window_start=dt.date(2026, 3, 3), window_end=dt.date(2026, 3, 9),
                     who=Role.PATIENT, what="x", requirement_id="test.prescription"),
        ScheduleItem(date=dt.date(2026, 3, 9), who=Role.PRESCRIBER, what="x",
                     requirement_id="programme.check_plan"),
    ]  # fmt: skip
    before = timeline(event("e1", "enrolment", "2026-01-05"), policy="us-ipledge-2026",
                      patient=US_CGP)  # fmt: skip
    started = timeline(
        event("e1", "enrolment", "2026-01-05"), event("e2", "course_start", "2026-02-10"),
        policy="us-ipledge-2026", patient=US_CGP,
    )  # fmt: skip
    on = dt.date(2026, 2, 20)
    assert [s.requirement_id for s in patient_steps(items, before, on)] == [
        "test.confirmation", "test.prescription"]  # fmt: skip
    assert [s.requirement_id for s in patient_steps(items, started, on)] == ["test.prescription"]


@pytest.mark.parametrize(
    ("policy", "can_get_pregnant", "in_app"),
    [
        ("us-ipledge-2023", True, True),
        ("us-ipledge-2026", True, True),
        ("us-ipledge-2026", False, False),
        ("eu-ppp-2018", True, False),
        ("uk-mhra-2023", True, False),
    ],
)
def test_only_ipledge_has_the_patient_answer_and_confirm_in_the_app(
    policy: str, can_get_pregnant: bool, in_app: bool
) -> None:
    who = patient("p-2", "2000-01-01", "female", can_get_pregnant=can_get_pregnant)
    course = timeline(event("e1", "enrolment", "2026-01-05"), policy=policy, patient=who)
    assert patient_enters_monthly_steps(KNOWLEDGE, course, dt.date(2026, 10, 15)) is in_app
