"""The loader refuses a knowledge base that would let an uncited or malformed number through.

Each case is a tiny TOML base with one defect; the loader must name the defect, the record and
the file, and must report every problem at once rather than stopping at the first.
"""

from __future__ import annotations

import pytest

from isotrack.knowledge import KnowledgeError, parse_knowledge

LABEL = """
[[source]]
id = "label-x"
kind = "label"
issuer = "Example Pharma"
title = "Example capsules: prescribing information"
url = "https://example.org/label"
"""

START_DOSE = """
[[fact]]
id = "dose.start_mg_per_kg_day"
value = 0.5
unit = "mg/kg/day"
source_ids = ["label-x"]
evidence = "label"
note = "Start low to limit the early flare."
"""


# A second cited fact keeps the source in use when a defective record is dropped, so each case
# below reports exactly the defect it plants.
MAX_DOSE = """
[[fact]]
id = "dose.max_mg_per_kg_day"
value = 2.0
unit = "mg/kg/day"
source_ids = ["label-x"]
evidence = "label"
note = "Ceiling for very severe or truncal disease."
"""


def problems_of(files: dict[str, str]) -> list[str]:
    with pytest.raises(KnowledgeError) as caught:
        parse_knowledge(files)
    return caught.value.problems


def test_a_cited_fact_with_a_known_unit_loads() -> None:
    knowledge = parse_knowledge({"a.toml": LABEL + START_DOSE})
    assert knowledge.number("dose.start_mg_per_kg_day") == 0.5
    assert knowledge.fact("dose.start_mg_per_kg_day").source_ids == ["label-x"]


def test_a_fact_citing_a_missing_source_is_refused() -> None:
    orphan = START_DOSE.replace('["label-x"]', '["label-x", "nowhere-2020"]')
    problems = problems_of({"a.toml": LABEL + orphan})
    assert problems == ["fact 'dose.start_mg_per_kg_day' cites missing source 'nowhere-2020'"]


def test_a_myth_claimed_by_a_missing_source_is_refused() -> None:
    myth = """
[[myth]]
id = "more_is_better"
claim = "Doubling the dose halves the course."
verdict = "false"
correction = "Dose is limited by tolerability."
topic = "dosing"
claimed_by = ["blog-404"]
source_ids = ["label-x"]
"""
    problems = problems_of({"a.toml": LABEL + START_DOSE + myth})
    assert problems == ["myth 'more_is_better' cites missing source 'blog-404'"]


def test_a_source_nobody_cites_is_refused() -> None:
    problems = problems_of({"a.toml": LABEL})
    assert problems == ["source 'label-x' is cited by nothing"]


def test_a_misspelt_unit_is_refused() -> None:
    typo = START_DOSE.replace('"mg/kg/day"', '"mg/kg/dy"')
    (problem,) = problems_of({"a.toml": LABEL + MAX_DOSE + typo})
    assert "dose.start_mg_per_kg_day" in problem
    assert "unit 'mg/kg/dy' is not a known unit" in problem


def test_an_inverted_range_is_refused() -> None:
    # Usual range written backwards: 1.0 down to 0.5 mg/kg/day.
    inverted = START_DOSE.replace("value = 0.5", "low = 1.0\nhigh = 0.5")
    (problem,) = problems_of({"a.toml": LABEL + MAX_DOSE + inverted})
    assert "range is inverted (low 1.0 > high 0.5)" in problem


def test_an_inverted_position_range_is_refused() -> None:
    disagreement = """
[[disagreement]]
id = "cumulative_target"
topic = "dosing"
question = "How much in total?"

[[disagreement.positions]]
id = "backwards"
summary = "150 down to 120"
low = 150
high = 120
unit = "mg/kg"
source_ids = ["label-x"]

[[disagreement.positions]]
id = "clearance"
summary = "until clear"
source_ids = ["label-x"]
"""
    (problem,) = problems_of({"a.toml": LABEL + MAX_DOSE + disagreement})
    assert "position 'backwards': range is inverted" in problem


def test_a_disagreement_needs_two_positions() -> None:
    lonely = """
[[disagreement]]
id = "course_length"
topic = "dosing"
question = "How long?"

[[disagreement.positions]]
id = "only_one"
summary = "15-20 weeks"
source_ids = ["label-x"]
"""
    (problem,) = problems_of({"a.toml": LABEL + MAX_DOSE + lonely})
    assert "course_length" in problem
    assert "positions" in problem


def test_the_same_id_in_two_files_is_refused() -> None:
    problems = problems_of({"a.toml": LABEL + START_DOSE, "b.toml": START_DOSE})
    assert problems == ["b.toml: duplicate fact id 'dose.start_mg_per_kg_day' (first in a.toml)"]


def test_every_problem_is_reported_at_once() -> None:
    typo = START_DOSE.replace('"mg/kg/day"', '"mg/kg/dy"')
    second_source = LABEL.replace("label-x", "label-y")
    problems = problems_of({"a.toml": LABEL + typo + second_source})
    # The fact with the bad unit is dropped, so neither source is cited any more.
    assert len(problems) == 3
    assert any("not a known unit" in p for p in problems)
    assert "source 'label-y' is cited by nothing" in problems


def test_a_source_needs_a_doi_or_a_url() -> None:
    unlocatable = LABEL.replace('url = "https://example.org/label"\n', "")
    problems = problems_of({"a.toml": unlocatable + START_DOSE})
    # The unlocatable source is dropped, so the fact citing it is reported as well.
    assert len(problems) == 2
    assert "needs a doi or a url" in problems[0]
    assert problems[1] == "fact 'dose.start_mg_per_kg_day' cites missing source 'label-x'"


def test_a_policy_must_pick_an_existing_position() -> None:
    disagreement = """
[[disagreement]]
id = "post_treatment_pregnancy_test"
topic = "pregnancy"
question = "When is the last test?"

[[disagreement.positions]]
id = "one_month"
summary = "1 month"
value = 1
unit = "month"
source_ids = ["label-x"]

[[disagreement.positions]]
id = "five_weeks"
summary = "5 weeks"
value = 5
unit = "week"
source_ids = ["label-x"]

[[policy]]
id = "clinic-a"
title = "Clinic A"
market = "EU"
programme = "PPP"
edition = "2018"
source_ids = ["label-x"]

[policy.positions]
post_treatment_pregnancy_test = "six_weeks"
"""
    problems = problems_of({"a.toml": LABEL + disagreement})
    assert problems == [
        "policy 'clinic-a' picks missing position 'six_weeks' of 'post_treatment_pregnancy_test'"
    ]
