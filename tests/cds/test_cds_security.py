"""Only registered EHRs may call: each call carries a fresh JWT signed by a key in the
client's registered JWKS, addressed to the exact URL called (CDS Hooks 2.0, "Trusting CDS
Clients"). Every refusal is a 401 whose OperationOutcome says what to fix."""

from __future__ import annotations

import time
import uuid

import httpx
import jwt
import pytest
from cds_support import SigningClient, medication_order, order_sign
from conftest import CdsClinic

SIGN = "isotrack-order-sign"


def post(clinic: CdsClinic, headers: dict[str, str], service_id: str = SIGN) -> httpx.Response:
    body = order_sign("demo-02", [medication_order(30)])
    return httpx.post(clinic.url(service_id), json=body, headers=headers, timeout=10)


def refusal(response: httpx.Response) -> str:
    assert response.status_code == 401, response.text
    body = response.json()
    assert body["resourceType"] == "OperationOutcome"
    assert response.headers["www-authenticate"].startswith("Bearer")
    return str(body["issue"][0]["diagnostics"])


def test_both_recommended_algorithms_are_accepted(cds_clinic: CdsClinic) -> None:
    url = cds_clinic.url(SIGN)
    assert post(cds_clinic, cds_clinic.ehr.auth(url)).status_code == 200  # ES384
    assert post(cds_clinic, cds_clinic.other_ehr.auth(url)).status_code == 200  # RS384


def test_aud_may_be_a_list_that_names_the_url_called(cds_clinic: CdsClinic) -> None:
    url = cds_clinic.url(SIGN)
    token = cds_clinic.ehr.token([url, "https://elsewhere.example.org"])
    assert post(cds_clinic, {"Authorization": f"Bearer {token}"}).status_code == 200


def test_a_call_without_a_token_is_refused(cds_clinic: CdsClinic) -> None:
    assert "A signed JWT is required" in refusal(post(cds_clinic, {}))


def test_an_ehr_access_token_instead_of_a_signed_jwt_is_refused(cds_clinic: CdsClinic) -> None:
    # Medplum sends its own opaque bearer token: CDS Hooks 2.0 requires the client's JWT.
    message = refusal(post(cds_clinic, {"Authorization": "Bearer medplum-access-token-123"}))
    assert "not a JWT" in message


def test_an_expired_token_is_refused(cds_clinic: CdsClinic) -> None:
    url = cds_clinic.url(SIGN)
    stale = cds_clinic.ehr.auth(url, issued_at=time.time() - 3600, lifetime_s=300)
    assert "expired" in refusal(post(cds_clinic, stale))


def test_a_replayed_token_is_refused(cds_clinic: CdsClinic) -> None:
    url = cds_clinic.url(SIGN)
    headers = cds_clinic.ehr.auth(url, jti=str(uuid.uuid4()))
    assert post(cds_clinic, headers).status_code == 200
    assert "jti replayed" in refusal(post(cds_clinic, headers))


def test_a_token_for_another_url_is_refused(cds_clinic: CdsClinic) -> None:
    # Signed for discovery, sent to order-sign: aud must be the exact URL called.
    headers = cds_clinic.ehr.auth(cds_clinic.url())
    assert "aud must be the URL called" in refusal(post(cds_clinic, headers))


def test_a_token_for_the_service_is_refused_by_its_feedback(cds_clinic: CdsClinic) -> None:
    headers = cds_clinic.ehr.auth(cds_clinic.url(SIGN))
    feedback = {"feedback": [{"card": "x", "outcome": "overridden", "outcomeTimestamp": "t"}]}
    answer = httpx.post(cds_clinic.url(SIGN, feedback=True), json=feedback, headers=headers)
    assert "aud must be the URL called" in refusal(answer)


def test_an_unregistered_issuer_is_refused(cds_clinic: CdsClinic) -> None:
    stranger = SigningClient.es384("https://unknown-ehr.example.org")
    message = refusal(post(cds_clinic, stranger.auth(cds_clinic.url(SIGN))))
    assert "not a registered CDS client" in message


def test_a_forged_signature_under_the_registered_kid_is_refused(cds_clinic: CdsClinic) -> None:
    forger = SigningClient.es384(cds_clinic.ehr.issuer)
    forger.kid = cds_clinic.ehr.kid  # claims the registered key, signs with another
    assert "signature" in refusal(post(cds_clinic, forger.auth(cds_clinic.url(SIGN))))


def test_a_token_without_kid_is_refused(cds_clinic: CdsClinic) -> None:
    client = cds_clinic.ehr
    claims = {"iss": client.issuer, "aud": cds_clinic.url(SIGN), "iat": int(time.time()),
              "exp": int(time.time()) + 60, "jti": str(uuid.uuid4())}  # fmt: skip
    token = jwt.encode(claims, client.private_key, algorithm="ES384")
    assert "no 'kid'" in refusal(post(cds_clinic, {"Authorization": f"Bearer {token}"}))


@pytest.mark.parametrize("algorithm", ["HS256", "none", "ES256"])
def test_symmetric_unsigned_and_unlisted_algorithms_are_refused(
    cds_clinic: CdsClinic, algorithm: str
) -> None:
    now = int(time.time())
    claims = {"iss": cds_clinic.ehr.issuer, "aud": cds_clinic.url(SIGN), "iat": now,
              "exp": now + 60, "jti": str(uuid.uuid4())}  # fmt: skip
    if algorithm == "ES256":
        from cryptography.hazmat.primitives.asymmetric import ec

        key: object = ec.generate_private_key(ec.SECP256R1())
    else:
        key = "a-shared-secret-of-32-characters!" if algorithm == "HS256" else None
    token = jwt.encode(claims, key, algorithm=algorithm, headers={"kid": cds_clinic.ehr.kid})  # type: ignore[arg-type]
    assert "isotrack accepts ES384 or RS384" in refusal(
        post(cds_clinic, {"Authorization": f"Bearer {token}"})
    )


def test_a_token_missing_jti_is_refused(cds_clinic: CdsClinic) -> None:
    client = cds_clinic.ehr
    claims = {"iss": client.issuer, "aud": cds_clinic.url(SIGN), "iat": int(time.time()),
              "exp": int(time.time()) + 60}  # fmt: skip
    token = jwt.encode(claims, client.private_key, algorithm="ES384", headers={"kid": client.kid})
    assert "'jti'" in refusal(post(cds_clinic, {"Authorization": f"Bearer {token}"}))


def test_discovery_is_open_but_lists_no_patient_data(cds_clinic: CdsClinic) -> None:
    answer = httpx.get(cds_clinic.url(), headers={"Authorization": "Bearer anything"})
    assert answer.status_code == 200 and "services" in answer.json()
