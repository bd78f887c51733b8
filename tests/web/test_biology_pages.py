"""The course's biology on the pages, over HTTP without a browser: the prescriber's response
section, assessment form, chart and drug levels; the patient's self-report and the plain-words
explanation of the month of contraception after the last capsule (decisions 16 and 17)."""

from __future__ import annotations

import datetime as dt
import os
import re

import pytest
from demo_store import Demo, demo_store, page_client, sign_in
from fastapi.testclient import TestClient

os.environ.setdefault("ISOTRACK_PASSWORD_HASH_PROFILE", "CHEAPEST")
TODAY = dt.date(2026, 10, 15)
# What a person must never read on these sections: internal ids, field names, library text.
INTERNAL = ("assessed_by", "lesion_total", "iga_0_1", "nodules_cysts", "Traceback",
            "validation error", "model_state", "None", "demo-02")  # fmt: skip


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    return demo_store(tmp_path_factory.mktemp("bio"), TODAY)


def client(demo: Demo) -> TestClient:
    return page_client(demo.url, lambda: TODAY)


def signed_in(web: TestClient, demo: Demo, username: str) -> str:
    return sign_in(web, username, demo.passwords[username])


def maya_course(web: TestClient) -> str:
    courses = web.get("/api/v1/patients/demo-02").json()["courses"]
    return str(courses[-1]["id"])


def section(html: str, section_id: str) -> str:
    found = re.search(rf'<section id="{section_id}".*?</section>', html, re.S)
    assert found is not None, f"no section {section_id}"
    return found.group(0)


def visible_text(html: str) -> str:
    without_markup = re.sub(r"<(title|desc)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", without_markup)


def assessment_form(csrf: str, date: str, grade: str, **extra: str) -> dict[str, str]:
    return {"csrf_token": csrf, "date": date, "scale": "iga", "grade": grade, **extra}


def test_the_course_page_shows_the_trend_clearance_and_both_projected_ends(demo: Demo) -> None:
    # Maya (Absorica since August) is graded moderate with 50 lesions before the first dose and
    # almost clear with 8 in October. IGA 0-1 is clear (clearance_definition, every packaged
    # policy; fda-acne-guidance-2018): the treat-to-clearance end is 1-3 months later, shown
    # beside the mg/kg projection.
    with client(demo) as web:
        csrf = signed_in(web, demo, "dr.lee")
        course = maya_course(web)
        url = f"/courses/{course}/acne-assessments"
        counts = {"lesions-face-comedones": "30", "lesions-face-papules": "20"}
        first = assessment_form(csrf, "2026-08-10", "3", scarring="mild", **counts)
        assert web.post(url, data=first, follow_redirects=False).status_code == 303
        counts = {"lesions-face-comedones": "5", "lesions-face-papules": "3"}
        later = assessment_form(csrf, "2026-10-14", "1", **counts)
        page = web.post(url, data=later)
        assert page.status_code == 200 and "Recorded: Acne assessment" in page.text
        response = visible_text(section(page.text, "response-section"))
        assert "moderate (IGA 3), 50 lesions counted" in response
        assert "almost clear (IGA 1), 2 grades better; lesions -84 %" in response
        assert "Clear since Wednesday 14 October 2026" in response
        assert (
            "last dose between Saturday 14 November 2026 and Thursday 14 January 2027" in response
        )
        assert "By cumulative mg/kg: last dose about" in response
        chart = re.search(r'<svg[^>]*id="response-chart".*?</svg>', page.text, re.S)
        assert chart is not None and "2026-10-14 grade 1" in chart.group(0)
        for word in INTERNAL:
            assert word not in response, word


def test_a_wrong_grade_is_shown_next_to_its_field_and_nothing_is_recorded(demo: Demo) -> None:
    with client(demo) as web:
        csrf = signed_in(web, demo, "dr.lee")
        course = maya_course(web)
        before = web.get(f"/api/v1/courses/{course}/events").json()["events"]
        bad = assessment_form(csrf, "2026-10-15", "7", **{"lesions-back-pustules": "many"})
        page = web.post(f"/courses/{course}/acne-assessments", data=bad)
        assert page.status_code == 422
        form = section(page.text, "response-section")
        assert 'id="acne-grade-error">⚠ use a whole number from 0 to 4' in form
        assert "“many” is not a whole number" in form
        assert 'value="many"' in form  # what was typed stays
        assert len(web.get(f"/api/v1/courses/{course}/events").json()["events"]) == len(before)


def test_the_course_page_draws_the_estimated_levels_with_the_dispenses(demo: Demo) -> None:
    with client(demo) as web:
        signed_in(web, demo, "dr.lee")
        page = web.get(f"/courses/{maya_course(web)}")
        levels = section(page.text, "levels-section")
        assert levels.count("<title>dispensed ") == 3  # Maya's three monthly dispenses
        text = visible_text(levels)
        assert "for explanation only" in text
        assert "Contraception continues after the last dose 30 days yes" in " ".join(text.split())
        assert "a study (Eckhoff C, Nau H, 1990)" in text
        for word in INTERNAL:
            assert word not in text, word


def test_the_patient_self_reports_and_reads_why_contraception_lasts_a_month(demo: Demo) -> None:
    with client(demo) as web:
        csrf = signed_in(web, demo, "maya")
        page = web.get("/me")
        after = " ".join(visible_text(section(page.text, "after-last-capsule")).split())
        assert "Why contraception continues for a month after the last capsule" in after
        assert "back to those natural amounts about 11 days after the last capsule" in after
        assert "for 30 days (one month)" in after and "safety margin" in after
        assert 'id="washout-chart"' in page.text
        sent = web.post(
            "/me/acne-assessments",
            data={"csrf_token": csrf, "date": "2026-10-15", "grade": "2", "note": "dry lips"},
        )
        assert sent.status_code == 200
        mine = visible_text(section(sent.text, "my-skin"))
        assert "Your last report (Thursday, October 15, 2026): mild" in " ".join(mine.split())
        for word in INTERNAL:
            assert word not in mine and word not in after, word
        refused = web.post("/me/acne-assessments", data={"csrf_token": csrf, "date": "2026-10-15"})
        assert refused.status_code == 422
        assert "Please choose one of the answers offered." in refused.text


def levels_chart_svg(html: str) -> str:
    found = re.search(r'<figure class="bio-figure" id="levels-figure">.*?</figure>', html, re.S)
    assert found is not None
    return found.group(0)


def test_the_levels_are_redrawn_for_the_meal_state_and_intakes_a_day_chosen(demo: Demo) -> None:
    # Maya takes Absorica, whose exposure is lower without food (label: fed AUC about 50 %
    # above fasting): the drawing changes with the choice, and says what it was drawn for.
    with client(demo) as web:
        signed_in(web, demo, "dr.lee")
        url = f"/courses/{maya_course(web)}"
        usual = web.get(url)
        assert "Drawn for capsules taken with a meal, 2 times a day." in usual.text
        chosen = web.get(url, params={"meal": "fasted", "intakes": "1"})
        assert chosen.status_code == 200
        levels = section(chosen.text, "levels-section")
        assert "Drawn for capsules taken without food, once a day." in levels
        assert '<option value="fasted" selected>without food</option>' in levels
        assert '<option value="1" selected>1</option>' in levels
        assert levels_chart_svg(chosen.text) != levels_chart_svg(usual.text)
        with_meal_once = web.get(url, params={"meal": "fed", "intakes": "1"})
        assert levels_chart_svg(with_meal_once.text) not in (
            levels_chart_svg(chosen.text),
            levels_chart_svg(usual.text),
        )


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"meal": "brunch"}, "meal", "choose with a meal or without food"),
        ({"intakes": "0"}, "intakes", "choose 1 to 4 intakes a day"),
        ({"intakes": "5"}, "intakes", "choose 1 to 4 intakes a day"),
        ({"intakes": "two"}, "intakes", "choose 1 to 4 intakes a day"),
    ],
)
def test_a_choice_that_is_not_allowed_is_named_and_the_usual_drawing_shown(
    demo: Demo, params: dict[str, str], field: str, message: str
) -> None:
    with client(demo) as web:
        signed_in(web, demo, "dr.lee")
        page = web.get(f"/courses/{maya_course(web)}", params=params)
        assert page.status_code == 200
        levels = section(page.text, "levels-section")
        assert f'id="levels-{field}-error">⚠ {message}' in levels
        assert "Drawn for capsules taken with a meal, 2 times a day." in levels
        for word in INTERNAL:
            assert word not in visible_text(levels), word
