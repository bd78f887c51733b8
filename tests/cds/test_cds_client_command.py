"""``isotrack cds-client add`` registers an EHR from a JWKS file or a JWKS address (fetched
here only from a loopback server of the test's own), and isotrack then trusts its JWTs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from cds_support import (
    SigningClient,
    fhir_server,
    isotrack_served,
    medication_order,
    order_sign,
    serving,
)

ISOTRACK = Path(sys.executable).with_name("isotrack")
SIGN = "isotrack-order-sign"


def isotrack(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(ISOTRACK), *args], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=120, check=False)  # fmt: skip


@pytest.fixture
def environment(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["ISOTRACK_DATABASE_URL"] = f"sqlite:///{tmp_path / 'clinic.sqlite'}"
    assert isotrack(["db", "upgrade"], env, tmp_path).returncode == 0
    return env


def signed_call(base: str, client: SigningClient) -> httpx.Response:
    url = f"{base}/cds-services/{SIGN}"
    body = order_sign("demo-02", [medication_order(30)])
    return httpx.post(url, json=body, headers=client.auth(url), timeout=10)


def test_a_client_registered_from_a_jwks_file_is_trusted(
    environment: dict[str, str], tmp_path: Path
) -> None:
    ehr = SigningClient.rs384()
    jwks_file = tmp_path / "ehr-jwks.json"
    jwks_file.write_text(json.dumps(ehr.jwks()), encoding="utf-8")
    added = isotrack(["cds-client", "add", "--issuer", ehr.issuer, "--jwks-file", str(jwks_file)],
                     environment, tmp_path)  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert "registered CDS client" in added.stdout
    with isotrack_served(environment["ISOTRACK_DATABASE_URL"]) as base:
        assert signed_call(base, ehr).status_code == 200
        assert signed_call(base, SigningClient.rs384()).status_code == 401  # not registered


def test_a_client_registered_by_jwks_address_is_trusted(
    environment: dict[str, str], tmp_path: Path
) -> None:
    ehr = SigningClient.es384("https://ehr-with-jwks-url.example.org")

    def jwks(_request: Any) -> dict[str, Any]:
        return ehr.jwks()

    with serving(fhir_server({"/.well-known/jwks.json": jwks})) as keys_base:
        added = isotrack(["cds-client", "add", "--issuer", ehr.issuer,
                          "--jwks-url", f"{keys_base}/.well-known/jwks.json"],
                         environment, tmp_path)  # fmt: skip
        assert added.returncode == 0, added.stderr
        with isotrack_served(environment["ISOTRACK_DATABASE_URL"]) as base:
            assert signed_call(base, ehr).status_code == 200
    listed = json.loads(isotrack(["cds-client", "list"], environment, tmp_path).stdout)
    assert listed[0]["jwks_url"].endswith("/.well-known/jwks.json")


def test_a_jwks_with_a_shared_secret_is_refused(
    environment: dict[str, str], tmp_path: Path
) -> None:
    jwks_file = tmp_path / "secret.json"
    secret = {"keys": [{"kty": "oct", "kid": "k1", "k": "c2VjcmV0LXNlY3JldC1zZWNyZXQ"}]}
    jwks_file.write_text(json.dumps(secret), encoding="utf-8")
    refused = isotrack(["cds-client", "add", "--issuer", "https://x", "--jwks-file",
                        str(jwks_file)], environment, tmp_path)  # fmt: skip
    assert refused.returncode != 0
    assert "symmetric" in refused.stderr + refused.stdout


def test_exactly_one_jwks_source_is_required(environment: dict[str, str], tmp_path: Path) -> None:
    refused = isotrack(["cds-client", "add", "--issuer", "https://x"], environment, tmp_path)
    assert refused.returncode != 0
    assert "exactly one of --jwks-file FILE or --jwks-url URL" in refused.stderr + refused.stdout
