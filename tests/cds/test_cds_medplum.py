"""@medplum/core 5.2.13 on Node 22 as a real CDS client process: discovery and order-sign.

Medplum fills prefetch itself from the EHR's FHIR server (here a loopback server of the
test's own) and sends its bearer token as is. The spec allows the first; it does not allow
an unsigned token, so with its own opaque token Medplum is refused with a clear 401, and with
a JWT the EHR signed (as the spec requires) it gets the cards.
"""

from __future__ import annotations

import json
import subprocess
from typing import Any

from cds_support import fhir_server, medication_order, serving
from conftest import CdsClinic
from starlette.requests import Request

from interop.node_validator import NODE, NODE_DIR, ensure_node_packages

SIGN = "isotrack-order-sign"


def ehr_fhir() -> Any:
    def patient(_request: Request) -> dict[str, Any]:
        return {"resourceType": "Patient", "id": "demo-02"}

    def medications(_request: Request) -> dict[str, Any]:
        return {"resourceType": "Bundle", "type": "searchset", "entry": []}

    return fhir_server({"/fhir/R4/Patient/demo-02": patient,
                        "/fhir/R4/MedicationRequest": medications})  # fmt: skip


def run_medplum(clinic: CdsClinic, ehr_base: str, token: str) -> dict[str, Any]:
    ensure_node_packages()
    given = {
        "baseUrl": clinic.base + "/",
        "fhirUrl": ehr_base + "/fhir/R4/",
        "accessToken": token,
        "patientId": "demo-02",
        "draftOrders": {"resourceType": "Bundle", "type": "collection",
                        "entry": [{"resource": medication_order(35)}]},
    }  # fmt: skip
    done = subprocess.run(
        [str(NODE), "cds_client.mjs"], cwd=NODE_DIR, input=json.dumps(given),
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_medplum_with_its_own_access_token_is_refused_with_a_clear_message(
    cds_clinic: CdsClinic,
) -> None:
    with serving(ehr_fhir()) as ehr_base:
        result = run_medplum(cds_clinic, ehr_base, "medplum-opaque-access-token")
    assert SIGN in result["services"]  # discovery is open
    # Medplum replaces the 401 body with its own "Unauthorized"; the body isotrack sent says
    # "not a JWT" (see test_cds_security).
    assert result["error"]["outcome"]["id"] == "unauthorized"


def test_medplum_with_a_signed_jwt_gets_the_order_sign_cards(cds_clinic: CdsClinic) -> None:
    token = cds_clinic.ehr.token(cds_clinic.url(SIGN))
    with serving(ehr_fhir()) as ehr_base:
        result = run_medplum(cds_clinic, ehr_base, token)
    assert result["prefetchKeys"] == ["patient", "medications"], result
    assert "cards" in result, result
    codes = [c["source"]["topic"]["code"] for c in result["cards"]]
    assert codes[0] == "order-not-allowed" and "regimen" in codes  # 35 days under iPLEDGE
