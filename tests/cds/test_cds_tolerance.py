"""Real CDS requests are often not valid R4, and prefetch is often missing. isotrack reads
what it can, says on a card what it could not check, answers bad input with a 4xx
OperationOutcome, and never with a 5xx."""

from __future__ import annotations

from typing import Any

import httpx
from card_rules import broken_rules
from cds_support import fhir_server, hang, medication_order, order_sign, serving
from conftest import CdsClinic
from starlette.requests import Request

SIGN = "isotrack-order-sign"


def post_raw(clinic: CdsClinic, content: bytes | str, service_id: str = SIGN) -> httpx.Response:
    url = clinic.url(service_id)
    headers = {**clinic.ehr.auth(url), "Content-Type": "application/json"}
    return httpx.post(url, content=content, headers=headers, timeout=10)


def post(clinic: CdsClinic, body: Any, service_id: str = SIGN) -> httpx.Response:
    url = clinic.url(service_id)
    return httpx.post(url, json=body, headers=clinic.ehr.auth(url), timeout=10)


def cards_of(response: httpx.Response) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    assert broken_rules(response.json()) == []
    cards: list[dict[str, Any]] = response.json()["cards"]
    return cards


def topics(cards: list[dict[str, Any]]) -> list[str]:
    return [c["source"]["topic"]["code"] for c in cards]


def test_the_spec_example_shape_without_bundle_type_and_with_stu3_dose_is_read(
    cds_clinic: CdsClinic,
) -> None:
    # The order-sign hook page's R4 example: no Bundle.type, dosageInstruction[].doseQuantity.
    body = order_sign("demo-02", [medication_order(30, stu3=True)], bundle_type=False)
    cards = cards_of(post(cds_clinic, body))
    regimen = next(c for c in cards if c["source"]["topic"]["code"] == "regimen")
    assert regimen["summary"].startswith("40 mg/day × 30 days")


def test_placeholder_entries_and_keys_are_passed_over(cds_clinic: CdsClinic) -> None:
    # The 2.0 prefetch examples: "..." entries and a "..." key with a "<snipped>" value.
    body = order_sign("demo-02", [medication_order(30)])
    body["context"]["draftOrders"]["entry"].append("...")
    body["prefetch"]["..."] = "<snipped>"
    assert "regimen" in topics(cards_of(post(cds_clinic, body)))


def test_an_order_without_a_days_supply_is_reported_not_guessed(cds_clinic: CdsClinic) -> None:
    order = medication_order(30)
    del order["dispenseRequest"]
    cards = cards_of(post(cds_clinic, order_sign("demo-02", [order])))
    unreadable = next(c for c in cards if c["source"]["topic"]["code"] == "unreadable-order")
    assert "days' supply" in unreadable["detail"]
    assert "regimen" not in topics(cards)


def test_an_order_with_a_dose_of_the_wrong_shape_is_reported(cds_clinic: CdsClinic) -> None:
    order = medication_order(30)
    order["dosageInstruction"] = "forty milligrams"
    order["dispenseRequest"]["expectedSupplyDuration"]["value"] = "thirty"
    cards = cards_of(post(cds_clinic, order_sign("demo-02", [order])))
    assert "unreadable-order" in topics(cards)


def test_a_body_that_is_not_json_is_a_400_operation_outcome(cds_clinic: CdsClinic) -> None:
    answer = post_raw(cds_clinic, b'{"hook": "order-sign", // a comment\n}')
    assert answer.status_code == 400
    assert answer.json()["resourceType"] == "OperationOutcome"
    assert "not valid JSON" in answer.json()["issue"][0]["diagnostics"]


def test_a_request_missing_its_required_fields_is_a_400_naming_them(cds_clinic: CdsClinic) -> None:
    answer = post(cds_clinic, {"hook": "order-sign", "context": {}})
    assert answer.status_code == 400
    lines = [i["diagnostics"] for i in answer.json()["issue"]]
    assert any(line.startswith("hookInstance") for line in lines)


def test_an_empty_patient_id_is_a_400(cds_clinic: CdsClinic) -> None:
    answer = post(cds_clinic, order_sign("", [medication_order(30)]))
    assert answer.status_code == 400
    assert "context.patientId" in answer.json()["issue"][0]["diagnostics"]


def test_the_wrong_hook_for_the_service_is_a_400(cds_clinic: CdsClinic) -> None:
    body = order_sign("demo-02", [medication_order(30)])
    body["hook"] = "patient-view"
    assert post(cds_clinic, body).status_code == 400


def test_fhir_authorization_without_fhir_server_is_a_400(cds_clinic: CdsClinic) -> None:
    body = order_sign("demo-02", [medication_order(30)])
    body["fhirAuthorization"] = {"access_token": "t", "token_type": "Bearer", "expires_in": 300,
                                 "scope": "patient/*.read", "subject": "cds"}  # fmt: skip
    answer = post(cds_clinic, body)
    assert answer.status_code == 400
    assert "cds-r-1" in " ".join(i["diagnostics"] for i in answer.json()["issue"])


def test_an_unknown_service_is_a_404(cds_clinic: CdsClinic) -> None:
    assert post(cds_clinic, {}, service_id="no-such-service").status_code == 404


def test_null_prefetch_means_no_data_and_is_accepted(cds_clinic: CdsClinic) -> None:
    # Medplum sets prefetch keys it cannot fill to null: "no data", nothing left to fetch.
    nothing = {"patient": None, "medications": None}
    body = order_sign("demo-02", [medication_order(30)], prefetch=nothing)
    cards = cards_of(post(cds_clinic, body))
    assert "unchecked" not in topics(cards) and "regimen" in topics(cards)


def test_missing_prefetch_is_fetched_from_the_fhir_server_with_its_token(
    cds_clinic: CdsClinic,
) -> None:
    seen: list[str | None] = []

    def medications(request: Request) -> dict[str, Any]:
        seen.append(request.headers.get("authorization"))
        doxy = {"resourceType": "MedicationRequest", "status": "active", "intent": "order",
                "medicationCodeableConcept": {"text": "doxycycline 100 mg"}}  # fmt: skip
        return {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": doxy}]}

    def patient(request: Request) -> dict[str, Any]:
        seen.append(request.headers.get("authorization"))
        return {"resourceType": "Patient", "id": "demo-02"}

    app = fhir_server({"/fhir/Patient/demo-02": patient, "/fhir/MedicationRequest": medications})
    with serving(app) as fhir_base:
        body = order_sign("demo-02", [medication_order(30)], prefetch=None,
                          fhirServer=f"{fhir_base}/fhir",
                          fhirAuthorization={"access_token": "ehr-token-1", "token_type": "Bearer",
                                             "expires_in": 300, "scope": "patient/*.read",
                                             "subject": "isotrack"})  # fmt: skip
        cards = cards_of(post(cds_clinic, body))
    assert seen == ["Bearer ehr-token-1", "Bearer ehr-token-1"]
    # Doxycycline with isotretinoin: a tetracycline interaction (intracranial hypertension).
    summaries = " ".join(c["summary"] for c in cards if c["indicator"] != "info")
    assert "doxycycline" in summaries.lower()
    assert "unchecked" not in topics(cards)


def test_a_hanging_fhir_server_degrades_to_a_card_saying_what_was_not_checked(
    cds_clinic: CdsClinic,
) -> None:
    app = fhir_server({"/fhir/Patient/demo-02": hang, "/fhir/MedicationRequest": hang})
    with serving(app) as fhir_base:
        body = order_sign("demo-02", [medication_order(30)], prefetch=None,
                          fhirServer=f"{fhir_base}/fhir")  # fmt: skip
        cards = cards_of(post(cds_clinic, body))
    unchecked = next(c for c in cards if c["source"]["topic"]["code"] == "unchecked")
    assert "interactions" in unchecked["detail"] and "timed out" in unchecked["detail"]
    assert "regimen" in topics(cards)  # what isotrack holds itself is still checked


def test_missing_prefetch_and_no_fhir_server_is_said_on_a_card(cds_clinic: CdsClinic) -> None:
    body = order_sign("demo-02", [medication_order(30)], prefetch=None)
    unchecked = next(c for c in cards_of(post(cds_clinic, body))
                     if c["source"]["topic"]["code"] == "unchecked")  # fmt: skip
    assert "no FHIR server given" in unchecked["detail"]
