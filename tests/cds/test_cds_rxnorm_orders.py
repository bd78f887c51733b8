"""An order an EHR codes only by the RxNorm branded drug (no ingredient code, no text) is read
as that product, and gets the regimen card like any other isotretinoin order; an order that
names its medicine by reference to a Medication resource is read through it when the
Medication travels with the draft orders, and is "not checked" (never "not isotretinoin")
when it does not."""

from __future__ import annotations

from typing import Any

import httpx
from cds_support import medication_order, order_sign
from conftest import CdsClinic

SIGN = "isotrack-order-sign"


def test_an_order_coded_by_the_rxnorm_branded_drug_alone_gets_the_regimen_card(
    cds_clinic: CdsClinic,
) -> None:
    order = medication_order(30, 35)
    order["medicationCodeableConcept"] = {
        "coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "1547567"}]
    }
    url = cds_clinic.url(SIGN)
    response = httpx.post(url, json=order_sign("demo-02", [order]),
                          headers=cds_clinic.ehr.auth(url), timeout=30)  # fmt: skip
    assert response.status_code == 200, response.text
    regimen = [c for c in response.json()["cards"] if c["source"]["topic"]["code"] == "regimen"]
    assert len(regimen) == 1
    assert regimen[0]["detail"].startswith("Absorica, 35 mg a day for 30 days")


def _by_reference(order: dict[str, Any], medication_id: str) -> dict[str, Any]:
    order = {**order, "medicationReference": {"reference": f"Medication/{medication_id}"}}
    del order["medicationCodeableConcept"]
    return order


def _signed(cds_clinic: CdsClinic, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    url = cds_clinic.url(SIGN)
    response = httpx.post(url, json=order_sign("demo-02", entries),
                          headers=cds_clinic.ehr.auth(url), timeout=30)  # fmt: skip
    assert response.status_code == 200, response.text
    cards: list[dict[str, Any]] = response.json()["cards"]
    return cards


def test_an_order_naming_a_medication_sent_in_the_draft_orders_gets_the_regimen_card(
    cds_clinic: CdsClinic,
) -> None:
    absorica = {
        "resourceType": "Medication", "id": "med-1",
        "code": {"coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm",
                             "code": "1547567"}]},
    }  # fmt: skip
    cards = _signed(cds_clinic, [absorica, _by_reference(medication_order(30, 35), "med-1")])
    regimen = [c for c in cards if c["source"]["topic"]["code"] == "regimen"]
    assert len(regimen) == 1
    assert regimen[0]["detail"].startswith("Absorica, 35 mg a day for 30 days")


def test_an_order_naming_a_medication_that_was_not_sent_is_said_to_be_unchecked(
    cds_clinic: CdsClinic,
) -> None:
    """Missing data is "unknown", never "fine": the prescriber is told the order was not
    checked, and why, rather than getting no card as if it were another medicine."""
    cards = _signed(cds_clinic, [_by_reference(medication_order(30, 35), "med-404")])
    (unchecked,) = [c for c in cards if c["source"]["topic"]["code"] == "unreadable-order"]
    assert unchecked["indicator"] == "warning"
    assert unchecked["summary"].startswith("The order could not be read fully")
    assert "Medication/med-404" in unchecked["detail"] and "unknown" in unchecked["detail"]
    assert not [c for c in cards if c["source"]["topic"]["code"] == "regimen"]
