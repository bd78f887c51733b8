"""isotrack fetches missing prefetch only from FHIR servers the operator registered for that
EHR (``cds-client add --fhir-server-host``): a request naming another host makes isotrack
fetch nothing (its ``fhirAuthorization`` goes nowhere) and the card says what was not checked
and why. Every FHIR server here is the test's own, on loopback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from cds_support import SigningClient, fhir_server, medication_order, order_sign, serving
from conftest import CdsClinic
from starlette.requests import Request

from isotrack.domain.errors import IsotrackInputError
from isotrack.service.cds import register_client

SIGN = "isotrack-order-sign"


@contextmanager
def counting_fhir_server() -> Iterator[tuple[str, list[str]]]:
    """A FHIR server on 127.0.0.1 that notes every request it gets: (base URL, paths)."""
    asked: list[str] = []

    def patient(request: Request) -> dict[str, Any]:
        asked.append(request.url.path)
        return {"resourceType": "Patient", "id": "demo-02"}

    def medications(request: Request) -> dict[str, Any]:
        asked.append(request.url.path)
        return {"resourceType": "Bundle", "type": "searchset"}

    app = fhir_server({"/fhir/Patient/demo-02": patient, "/fhir/MedicationRequest": medications})
    with serving(app) as base:
        yield base, asked


def call(clinic: CdsClinic, ehr: SigningClient, fhir_base: str) -> list[dict[str, Any]]:
    body = order_sign("demo-02", [medication_order(30)], prefetch=None,
                      fhirServer=f"{fhir_base}/fhir",
                      fhirAuthorization={"access_token": "secret-ehr-token",
                                         "token_type": "Bearer", "expires_in": 300,
                                         "scope": "patient/*.read",
                                         "subject": "isotrack"})  # fmt: skip
    url = clinic.url(SIGN)
    response = httpx.post(url, json=body, headers=ehr.auth(url), timeout=30)
    assert response.status_code == 200, response.text
    cards: list[dict[str, Any]] = response.json()["cards"]
    return cards


def unchecked_detail(cards: list[dict[str, Any]]) -> str:
    found = [c for c in cards if c["source"]["topic"]["code"] == "unchecked"]
    assert len(found) == 1, [c["summary"] for c in cards]
    return str(found[0]["detail"])


def registered(clinic: CdsClinic, issuer: str, hosts: list[str]) -> SigningClient:
    ehr = SigningClient.es384(issuer)
    register_client(clinic.database, issuer, jwks_text=json.dumps(ehr.jwks()), jwks_url=None,
                    fhir_server_hosts=hosts)  # fmt: skip
    return ehr


def test_a_registered_host_is_fetched_from(cds_clinic: CdsClinic) -> None:
    with counting_fhir_server() as (base, asked):
        cards = call(cds_clinic, cds_clinic.ehr, base)  # registered with 127.0.0.1
    assert sorted(asked) == ["/fhir/MedicationRequest", "/fhir/Patient/demo-02"]
    assert "unchecked" not in [c["source"]["topic"]["code"] for c in cards]


def test_another_host_gets_no_request_and_the_card_says_why(cds_clinic: CdsClinic) -> None:
    with counting_fhir_server() as (base, asked):
        # The same loopback server, named as "localhost": not the host registered.
        cards = call(cds_clinic, cds_clinic.ehr, base.replace("127.0.0.1", "localhost"))
    assert asked == []
    detail = unchecked_detail(cards)
    assert "host localhost is not one this EHR is registered" in detail
    assert "interactions" in detail  # what went unchecked, in a prescriber's words
    assert "regimen" in [c["source"]["topic"]["code"] for c in cards]


def test_a_host_registered_with_a_port_allows_that_port_only(cds_clinic: CdsClinic) -> None:
    with counting_fhir_server() as (base, asked):
        port = base.rsplit(":", 1)[1]
        this_port = registered(cds_clinic, "https://port-ehr.example.org", [f"127.0.0.1:{port}"])
        other_port = registered(cds_clinic, "https://other-port.example.org", ["127.0.0.1:1"])
        call(cds_clinic, this_port, base)
        assert len(asked) == 2
        refused = call(cds_clinic, other_port, base)
        assert len(asked) == 2
    assert "host 127.0.0.1 is not one" in unchecked_detail(refused)


def test_a_client_registered_without_hosts_is_fetched_for_from_nowhere(
    cds_clinic: CdsClinic,
) -> None:
    ehr = registered(cds_clinic, "https://no-hosts-ehr.example.org", [])
    with counting_fhir_server() as (base, asked):
        cards = call(cds_clinic, ehr, base)
    assert asked == []
    assert "--fhir-server-host" in unchecked_detail(cards)


@pytest.mark.parametrize("host", ["http://fhir.example.org", "fhir.example.org/fhir", "a b"])
def test_a_registration_naming_no_plain_host_is_refused_with_the_field(
    cds_clinic: CdsClinic, host: str
) -> None:
    with pytest.raises(IsotrackInputError) as refused:
        registered(cds_clinic, "https://typo-ehr.example.org", [host])
    problem = refused.value.problems[0]
    assert (problem.field, problem.value) == ("fhir_server_host", host)
