"""Screening of conditions, allergies and medicines: contraindications (absolute / relative),
interaction pairs with their effect and action, and unknown terms reported as unknown."""

from __future__ import annotations

import datetime as dt

import pytest
from monitoring_cases import START, codes, course, day, started

from isotrack.engines.monitoring import evaluate_monitoring, screen
from isotrack.knowledge import Knowledge


@pytest.mark.parametrize(
    ("kind", "term", "record"),
    [
        ("condition", "Pregnant", "pregnancy"),
        ("condition", "breast-feeding", "breastfeeding"),
        ("allergy", "isotretinoin", "isotretinoin_hypersensitivity"),
        ("condition", "hypervitaminosis A", "hypervitaminosis_a"),
        ("condition", "E67.0", "hypervitaminosis_a"),  # ICD-10 code
        ("medication", "minocycline", "tetracyclines"),
        ("medication", "Doxycycline 100 mg daily", "tetracyclines"),
        ("medication", "J01AA02", "tetracyclines"),  # ATC code of doxycycline
        ("condition", "liver failure", "hepatic_insufficiency"),
    ],
)
def test_absolute_contraindications(
    knowledge: Knowledge, kind: str, term: str, record: str
) -> None:
    inputs = {kind: [term]}
    report = screen(
        knowledge,
        conditions=inputs.get("condition", []),
        allergies=inputs.get("allergy", []),
        medications=inputs.get("medication", []),
        age_years=20,
    )
    assert [(f.record_id, f.category) for f in report.findings] == [
        (record, "absolute_contraindication")
    ]
    assert report.unknown == []


@pytest.mark.parametrize(
    ("term", "record", "action_words"),
    [
        ("hyperlipidaemia", "hyperlipidaemia", "lipid"),
        ("fatty liver", "liver_disease", "liver"),
        ("leukopenia", "leukopenia", "Blood count"),
        ("history of depression", "history_of_depression", "PHQ-9"),
        ("CKD stage 5", "severe_renal_impairment", "10 mg/day"),
    ],
)
def test_relative_contraindications_carry_their_precaution(
    knowledge: Knowledge, term: str, record: str, action_words: str
) -> None:
    [finding] = screen(knowledge, conditions=[term], age_years=20).findings
    assert (finding.record_id, finding.category) == (record, "relative_contraindication")
    assert action_words in finding.action


@pytest.mark.parametrize(("age", "flagged"), [(11, True), (12, False), (13, False)])
def test_age_under_12_is_a_relative_contraindication(
    knowledge: Knowledge, age: int, flagged: bool
) -> None:
    report = screen(knowledge, age_years=age)
    assert (len(report.findings) == 1) is flagged


def test_an_unknown_age_is_reported_as_not_checked(knowledge: Knowledge) -> None:
    report = screen(knowledge)
    assert [(u.input_kind, "under-12" in u.message) for u in report.unknown] == [("age", True)]


@pytest.mark.parametrize(
    ("product", "policy", "expected"),
    [
        ("roaccutane", None, ("relative", "contains soybean oil")),
        ("roaccutane", "test-eu", ("absolute", "eu_contraindicated")),
        ("roaccutane", "test-seed", ("relative", "seed_relative_supervised_first_dose")),
        (None, None, ("relative", "applies if the chosen product contains soybean oil")),
    ],
)
def test_soy_or_peanut_allergy_depends_on_the_product_and_the_policy(
    knowledge: Knowledge, product: str | None, policy: str | None, expected: tuple[str, str]
) -> None:
    report = screen(
        knowledge, allergies=["peanut allergy"], age_years=20, product=product, policy_id=policy
    )
    [finding] = report.findings
    assert finding.level == expected[0]
    assert expected[1] in finding.note
    assert "first dose under medical supervision" in finding.action


def test_soy_allergy_with_a_product_without_soybean_oil_is_recognised_not_flagged(
    knowledge: Knowledge,
) -> None:
    # a copy of Roaccutane recorded as soy-free stands in for any product without soybean oil
    soy_free = knowledge.product("roaccutane").model_copy(
        update={"id": "soy-free-test", "contains_soybean_oil": False}
    )
    products = {**knowledge.products, soy_free.id: soy_free}
    with_product = Knowledge(sections={**knowledge.sections, "product": products})
    report = screen(with_product, allergies=["soya"], age_years=20, product=soy_free.id)
    assert report.findings == []
    assert [r.record_id for r in report.recognised] == ["soy_peanut_allergy"]


@pytest.mark.parametrize(
    ("medication", "record", "level", "effect_word"),
    [
        ("vitamin A", "vitamin_a", "avoid", "toxicity"),
        ("tetracycline", "tetracyclines", "contraindicated", "intracranial pressure"),
        ("mini-pill", "progestin_only_pill", "avoid", "pregnancy"),
        ("St John’s Wort", "st_johns_wort", "avoid", "contraception"),
        ("phenytoin", "phenytoin", "caution", "osteomalacia"),
        ("prednisolone 40 mg", "systemic_corticosteroids", "caution", "osteoporosis"),
        ("alcohol", "alcohol", "advice", "triglycerides"),
        ("rifampicin", "enzyme_inducers", "caution", "contraception"),
        ("acitretin", "other_systemic_retinoids", "contraindicated", "retinoid"),
    ],
)
def test_interaction_pairs_with_effect_and_action(
    knowledge: Knowledge, medication: str, record: str, level: str, effect_word: str
) -> None:
    [finding] = screen(knowledge, medications=[medication], age_years=20).findings
    assert (finding.record_id, finding.level) == (record, level)
    assert effect_word in finding.effect
    assert finding.action and finding.source_ids


def test_unknown_terms_are_listed_never_passed(knowledge: Knowledge) -> None:
    report = screen(
        knowledge,
        conditions=["wobbly knees"],
        allergies=["cat dander"],
        medications=["zzz-unheard-of"],
        age_years=20,
    )
    assert report.findings == []
    assert [(u.input_kind, u.input) for u in report.unknown] == [
        ("condition", "wobbly knees"),
        ("allergy", "cat dander"),
        ("medication", "zzz-unheard-of"),
    ]


def test_known_medicines_without_interactions_are_recognised(knowledge: Knowledge) -> None:
    report = screen(knowledge, medications=["Ibuprofen 400mg", "combined pill"], age_years=20)
    assert report.findings == [] and report.unknown == []
    assert [r.record_id for r in report.recognised] == [
        "simple_analgesics",
        "combined_oral_contraceptive",
    ]


def test_an_unknown_product_is_reported(knowledge: Knowledge) -> None:
    report = screen(knowledge, age_years=20, product="no-such-brand")
    assert [u.input_kind for u in report.unknown] == ["product"]


def test_the_timeline_is_screened_with_current_terms_only(knowledge: Knowledge) -> None:
    events = [
        {"id": "m1", "type": "medication", "date": day(-20), "name": "Doxycycline 100 mg"},
        {
            "id": "m2",
            "type": "medication",
            "date": day(-5),
            "name": "Doxycycline",
            "status": "stopped",
        },
        {"id": "m3", "type": "medication", "date": day(-5), "name": "vitamin A"},
        {"id": "c1", "type": "condition", "date": day(-5), "term": "made-up syndrome"},
    ]
    report = evaluate_monitoring(knowledge, started(*events), START + dt.timedelta(days=3))
    screening = report.screening
    assert [f.record_id for f in screening.findings] == ["vitamin_a"]
    assert screening.findings[0].event_ids == ["m3"]
    assert [u.event_ids for u in screening.unknown] == [["c1"]]
    assert {"SCREEN_INTERACTION", "SCREEN_UNKNOWN_TERM"} <= set(codes(report.alerts))


def test_a_reported_pregnancy_is_a_critical_screening_alert(knowledge: Knowledge) -> None:
    event = {"id": "preg", "type": "pregnancy_reported", "date": "2026-01-10"}
    report = evaluate_monitoring(knowledge, course(event), dt.date(2026, 1, 11))
    assert report.alerts[0].code == "SCREEN_ABSOLUTE_CONTRAINDICATION"
    assert report.alerts[0].event_ids == ["preg"]
