"""Real FHIR clients read isotrack over real HTTP on loopback: Python's ``fhirclient`` (SMART
on FHIR's client, parsing with its own R4 models) and Node's ``fhir-kit-client`` run as a
separate process, as an EHR integration would."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator

import pytest
from fhirclient import client as smart_client
from fhirclient.models.bundle import Bundle
from fhirclient.server import FHIRNotFoundException
from live_server import serving
from node_validator import NODE, NODE_DIR, ensure_node_packages
from service_clinic import Clinic

from isotrack.service.settings import Settings


@pytest.fixture
def fhir_base(settings: Settings, clinic: Clinic) -> Iterator[str]:
    with serving(settings) as base:
        yield base + "/fhir/r4"


def test_python_fhirclient_reads_metadata_and_everything(fhir_base: str, clinic: Clinic) -> None:
    smart = smart_client.FHIRClient(
        settings={"app_id": "isotrack-test", "api_base": fhir_base + "/"}
    )
    smart.server.session.headers["Authorization"] = f"Bearer {clinic.tokens['dr.lee']}"
    statement = smart.server.capabilityStatement
    assert statement.fhirVersion == "4.0.1"
    assert {o.name for r in statement.rest[0].resource for o in r.operation} == {
        "everything", "rems-etasu",
    }  # fmt: skip
    bundle = Bundle(smart.server.request_json("Patient/demo-02/$everything"))
    assert bundle.type == "searchset"
    assert bundle.entry[0].resource.id == "demo-02"
    assert any(e.resource.resource_type == "MedicationRequest" for e in bundle.entry)
    with pytest.raises(FHIRNotFoundException):
        smart.server.request_json("Patient/demo-09/$everything")  # dr.patel's patient


def test_node_fhir_kit_client_reads_metadata_everything_and_etasu(
    fhir_base: str, clinic: Clinic
) -> None:
    ensure_node_packages()
    done = subprocess.run(
        [str(NODE), "read_fhir.mjs", fhir_base, clinic.tokens["dr.lee"], "demo-02"],
        cwd=NODE_DIR, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    seen = json.loads(done.stdout)
    assert "error" not in seen, seen
    assert seen["capability"] == {"resourceType": "CapabilityStatement", "fhirVersion": "4.0.1"}
    assert seen["everything"]["type"] == "searchset"
    assert seen["everything"]["patient"] == "demo-02"
    assert seen["everything"]["entries"] > 1
    assert seen["missing"] == {"status": 404, "resourceType": "OperationOutcome"}
    assert seen["etasu"] in ("success", "data-required")  # Maya's course exists and is in reach
