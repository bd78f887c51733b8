"""An order an EHR codes only by the RxNorm branded drug (no ingredient code, no text) is read
as that product, and gets the regimen card like any other isotretinoin order."""

from __future__ import annotations

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
