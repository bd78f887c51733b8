"""The content of the knowledge base: bibliography, disagreements, myths, and their discipline.

Most checks read the files this suite owns on their own (they must form a valid base without
anyone else's records); one test loads the whole packaged base as the application does.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from isotrack.knowledge import Knowledge, load_knowledge, parse_knowledge
from isotrack.knowledge.model import EvidenceLevel, SourceKind, Verdict

REPO = Path(__file__).resolve().parents[2]

AGREED_SOURCE_IDS = [
    "us-gen",
    "us-plr",
    "us-plr-w",
    "us-abs",
    "us-abs-pk",
    "us-acc",
    "us-sot",
    "us-clar",
    "fda-ped",
    "uk-smpc",
    "uk-smpc-2",
    "uk-pil",
    "ch-fi",
    "cz-smpc",
    "it-smpc",
    "ema-sum",
    "aad-2016",
    "aad-2024",
    "eu-s3",
    "guide-rev",
    "ga-2018",
    "ped-2013",
    "delphi",
    "barb",
    "hansen",
    "lee-meta",
    "opel",
    "blasiak",
    "lai-2025",
    "tan-2015",
    "rade-2013",
    "delrosso",
    "madan",
    "colburn",
    "khoo",
    "tan-2023",
    "asds",
    "seed-000",
    "seed-001",
    "seed-002",
    "seed-003",
    "seed-004",
    "isotrack-decisions",
]
SEEDS = ("seed-000", "seed-001", "seed-002", "seed-003", "seed-004")

# The disagreement and position ids every policy refers to (COMMON brief, agreed names).
AGREED_POSITIONS = {
    "cumulative_target": {"label_120_150", "treat_to_clearance", "high_220"},
    "course_length": {"us_label_15_20_weeks", "eu_label_16_24_weeks", "extended_16_32_weeks"},
    "daily_dose": {"weight_based", "fixed_20mg", "low_dose"},
    "lab_schedule": {"us_label", "eu_smpc", "delphi_2022", "seed_article"},
    "post_treatment_pregnancy_test": {"one_month", "five_weeks"},
    "abnormal_labs_stop_rule": {"single_parameter_3x_uln", "seed_multi_parameter"},
}

AUDIENCES = {"everyone", "can_get_pregnant", "cannot_get_pregnant", "adolescent", "prescriber"}
MYTH_TOPICS = {
    "pregnancy", "fertility", "contraception", "mood", "dosing", "labs", "diet", "procedures",
    "indications", "side_effects", "pharmacokinetics", "relapse", "programme", "interactions",
    "screening",
}  # fmt: skip


@pytest.fixture(scope="module")
def own(own_file_texts: dict[str, str]) -> Knowledge:
    """The records of this suite's files, validated on their own."""
    return parse_knowledge(own_file_texts)


def test_the_packaged_base_loads_as_the_application_loads_it() -> None:
    knowledge = load_knowledge()
    assert set(AGREED_SOURCE_IDS) <= set(knowledge.sources)
    assert set(AGREED_POSITIONS) <= set(knowledge.disagreements)


def test_every_agreed_source_is_in_the_bibliography(own: Knowledge) -> None:
    missing = [s for s in AGREED_SOURCE_IDS if s not in own.sources]
    assert missing == []


def test_the_seed_article_is_a_citable_review_and_the_other_seeds_are_popular_writing(
    own: Knowledge,
) -> None:
    article = own.sources["seed-004"]
    assert article.doi == "10.5281/zenodo.19348988"
    assert article.year == 2025
    assert article.kind is SourceKind.REVIEW
    for seed in SEEDS[:-1]:
        assert own.sources[seed].kind is SourceKind.POPULAR_ARTICLE


def test_project_decisions_point_at_the_decisions_page(own: Knowledge) -> None:
    decisions = own.sources["isotrack-decisions"]
    assert decisions.kind is SourceKind.PROJECT_DECISION
    assert decisions.url == "docs/decisions.md"
    page = (REPO / "docs" / "decisions.md").read_text("utf-8")
    # Facts citing the page name the decision by number; each number must exist there.
    for fact in own.facts.values():
        for number in re.findall(r"Decision (\d+)", fact.note):
            assert re.search(rf"^## {number}\. ", page, re.MULTILINE), (fact.id, number)


@pytest.mark.parametrize("disagreement_id", sorted(AGREED_POSITIONS))
def test_each_agreed_disagreement_offers_its_agreed_positions(
    own: Knowledge, disagreement_id: str
) -> None:
    disagreement = own.disagreements[disagreement_id]
    position_ids = {p.id for p in disagreement.positions}
    assert AGREED_POSITIONS[disagreement_id] <= position_ids
    assert len(position_ids) >= 2


def test_every_numeric_position_carries_its_unit(own: Knowledge) -> None:
    for disagreement in own.disagreements.values():
        for position in disagreement.positions:
            if position.value is not None or position.low is not None:
                assert position.unit, (disagreement.id, position.id)


def test_the_cumulative_targets_keep_the_published_numbers(own: Knowledge) -> None:
    # EU SmPC band 120-150 mg/kg versus Blasiak's 220 mg/kg threshold.
    target = own.disagreements["cumulative_target"]
    label = target.position("label_120_150")
    assert (label.low, label.high, label.unit) == (120, 150, "mg/kg")
    high = target.position("high_220")
    assert (high.value, high.unit) == (220, "mg/kg")
    assert "blasiak" in high.source_ids


def test_the_post_treatment_test_sets_one_month_against_the_seed_articles_five_weeks(
    own: Knowledge,
) -> None:
    question = own.disagreements["post_treatment_pregnancy_test"]
    one_month = question.position("one_month")
    five_weeks = question.position("five_weeks")
    assert (one_month.value, one_month.unit) == (1, "month")
    assert (five_weeks.value, five_weeks.unit) == (5, "week")
    assert five_weeks.source_ids == ["seed-004"]


def test_the_stop_rules_contrast_one_parameter_with_several(own: Knowledge) -> None:
    rule = own.disagreements["abnormal_labs_stop_rule"]
    single = rule.position("single_parameter_3x_uln")
    several = rule.position("seed_multi_parameter")
    assert (single.value, single.unit) == (3, "x_ULN")
    assert (several.low, several.high) == (2, 3)
    assert several.source_ids == ["seed-004"]


# The required examples: claim id -> verdict.
REQUIRED_MYTHS = {
    "harlequin_ichthyosis_approved": Verdict.FALSE,
    "treats_gi_cancers": Verdict.FALSE,
    "malformations_45_percent": Verdict.FALSE,
    "fertility_unaffected": Verdict.UNSUPPORTED,
    "eradicates_condyloma_virus": Verdict.UNSUPPORTED,
    "max_2_mg_per_kg": Verdict.PARTLY_TRUE,
}


@pytest.mark.parametrize(("myth_id", "verdict"), sorted(REQUIRED_MYTHS.items()))
def test_each_required_seed_claim_is_graded(own: Knowledge, myth_id: str, verdict: Verdict) -> None:
    myth = own.myths[myth_id]
    assert myth.verdict is verdict
    assert set(myth.claimed_by) <= set(SEEDS) and myth.claimed_by


def test_the_45_percent_claim_is_corrected_with_the_meta_analysis(own: Knowledge) -> None:
    # Choi 2021: 15% major malformations across 2,783 exposed pregnancies; early reports ~30%.
    myth = own.myths["malformations_45_percent"]
    assert "choi-2021" in myth.source_ids
    assert "15%" in myth.correction
    assert "can_get_pregnant" in myth.audience


def test_the_two_mg_claim_is_corrected_to_a_daily_ceiling(own: Knowledge) -> None:
    myth = own.myths["max_2_mg_per_kg"]
    assert "per DAY" in myth.correction
    assert {"us-gen", "us-abs"} <= set(myth.source_ids)


def test_every_seed_had_its_claims_graded(own: Knowledge) -> None:
    graded = {seed: 0 for seed in SEEDS}
    for myth in own.myths.values():
        for seed in myth.claimed_by:
            graded[seed] += 1
    assert all(count >= 4 for count in graded.values()), graded


def test_seeds_are_claimants_never_evidence_for_a_myth(own: Knowledge) -> None:
    for myth in own.myths.values():
        assert not set(myth.source_ids) & set(SEEDS), myth.id


def test_myths_are_tagged_for_the_education_view(own: Knowledge) -> None:
    for myth in own.myths.values():
        assert myth.topic in MYTH_TOPICS, (myth.id, myth.topic)
        assert myth.audience and set(myth.audience) <= AUDIENCES, (myth.id, myth.audience)


def test_a_patient_who_can_get_pregnant_finds_contraception_and_fertility_myths(
    own: Knowledge,
) -> None:
    topics = {m.topic for m in own.myths.values() if "can_get_pregnant" in m.audience}
    assert {"contraception", "fertility", "pregnancy"} <= topics


def test_unverified_figures_are_not_dressed_up_as_label_facts(own: Knowledge) -> None:
    honest = {EvidenceLevel.EXPERT_OPINION, EvidenceLevel.UNSUPPORTED_CLAIM}
    unverified = [f for f in own.facts.values() if "UNVERIFIED" in f.note]
    assert unverified, "the EU SmPC half-lives are unverified and must say so"
    for fact in unverified:
        assert fact.evidence in honest, fact.id


def test_the_pharmacokinetic_facts_keep_their_published_values(own: Knowledge) -> None:
    # Khoo 1982 single 100 mg dose: peak at 1-4 h, half-life about 20 h.
    assert own.bounds("pk.tmax_single_100mg_h") == (1, 4)
    assert own.number("pk.half_life_single_dose_h") == 20
    # Colburn 1983: a meal raises exposure 1.5-2-fold.
    assert own.bounds("food.colburn_fed_to_fasted_auc_ratio") == (1.5, 2)
    # EU SmPC: no blood donation for 1 month after the last dose.
    blood = own.fact("precaution.blood_donation_after_last_dose_months")
    assert (blood.value, blood.unit) == (1, "month")
