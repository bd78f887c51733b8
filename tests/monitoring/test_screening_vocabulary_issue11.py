"""Screening recognises what clinics really write (issue 11, item 12).

Brand names of tetracyclines (us-acc: tetracyclines are contraindicated), free text with doses
and units, progestogen-only pills (us-acc; BNF), methotrexate (hepatotoxicity), topical
keratolytics (uk-smpc-2), phenytoin and systemic corticosteroids (us-acc: bone), and vitamin A
hypersensitivity (Absorica label). An unrecognised term is "not checked", never clear.
"""

from __future__ import annotations

import pytest

from isotrack.engines.monitoring.screening import ScreenedTerm, screen_terms
from isotrack.knowledge import Knowledge
from isotrack.knowledge.monitoring import InputKind


def screened(knowledge: Knowledge, kind: InputKind, text: str) -> tuple[list[str], list[str]]:
    report = screen_terms(
        knowledge, [ScreenedTerm(kind, text)], age_years=25, product_id="roaccutane"
    )
    return [f.record_id for f in report.findings], [u.message for u in report.unknown]


@pytest.mark.parametrize(
    ("text", "record_id"),
    [
        ("Vibramycin", "tetracyclines"),
        ("Minocin 100 mg", "tetracyclines"),
        ("vitamin A 10000 IU", "vitamin_a"),
        ("vitamin A 10 000 IU daily", "vitamin_a"),
        ("desogestrel 75 micrograms", "progestin_only_pill"),
        ("norethindrone", "progestin_only_pill"),
        ("methotrexate 15 mg weekly", "methotrexate"),
        ("benzoyl peroxide 5% gel", "topical_keratolytics"),
        ("phenytoin", "phenytoin"),
        ("prednisolone 5mg once a day", "systemic_corticosteroids"),
    ],
)
def test_medicines_as_clinics_write_them_are_recognised(
    knowledge: Knowledge, text: str, record_id: str
) -> None:
    found, unknown = screened(knowledge, InputKind.MEDICATION, text)
    assert record_id in found and not unknown


def test_vitamin_a_hypersensitivity_is_a_contraindication(knowledge: Knowledge) -> None:
    found, _ = screened(knowledge, InputKind.ALLERGY, "vitamin A")
    assert "vitamin_a_hypersensitivity" in found


def test_an_unrecognised_term_is_reported_as_not_checked(knowledge: Knowledge) -> None:
    found, unknown = screened(knowledge, InputKind.MEDICATION, "zorbitamab 40 mg")
    assert found == []
    [message] = unknown
    assert "not checked" in message


@pytest.mark.parametrize(
    ("product", "finding"),
    [("zenatane", True), ("claravis", False), ("accutane", True), ("roaccutane", True)],
)
def test_a_paraben_allergy_is_judged_per_product(
    knowledge: Knowledge, product: str, finding: bool
) -> None:
    # Item 11 (labels via the audit; us-acc for Accutane's shell): parabens in Zenatane and
    # Accutane, none in Claravis; Roaccutane's content is not recorded, so it is not cleared.
    report = screen_terms(
        knowledge, [ScreenedTerm(InputKind.ALLERGY, "parabens")], age_years=25, product_id=product
    )
    assert ("paraben_hypersensitivity" in [f.record_id for f in report.findings]) is finding
