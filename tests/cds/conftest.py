"""Fixtures of the CDS Hooks tests: a store with courses imported from FHIR bundles, two
registered EHRs (one signing with ES384, one with RS384) and isotrack on a loopback socket;
and, from the service tests, an empty database on each backend (``database_url``)."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cds_support import SigningClient, imported_from_fhir, isotrack_served

sys.path.insert(0, str(Path(__file__).parent.parent / "service"))

from service_clinic import database_url, postgres_available  # noqa: F401

from isotrack.service.cds import register_client
from isotrack.store.database import Database, open_database, upgrade_schema

if "ISOTRACK_CHAIN_KEY_FILE" not in os.environ:
    import tempfile

    os.environ["ISOTRACK_CHAIN_KEY_FILE"] = os.path.join(tempfile.mkdtemp(), "chain-key")


@dataclass
class CdsClinic:
    base: str
    database: Database
    database_url: str
    courses: dict[str, str]  # FHIR Patient id -> isotrack course id
    ehr: SigningClient  # ES384
    other_ehr: SigningClient  # RS384, another issuer

    def url(self, service_id: str = "", feedback: bool = False) -> str:
        path = "/cds-services" + (f"/{service_id}" if service_id else "")
        return self.base + path + ("/feedback" if feedback else "")


@pytest.fixture(scope="module")
def cds_clinic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CdsClinic]:
    directory: Path = tmp_path_factory.mktemp("cds")
    url = f"sqlite:///{directory / 'clinic.sqlite'}"
    database = open_database(url)
    upgrade_schema(database)
    courses = {pid: imported_from_fhir(database, pid) for pid in ("demo-02", "demo-14")}
    ehr = SigningClient.es384()
    other = SigningClient.rs384("https://other-ehr.example.org")
    for client in (ehr, other):
        register_client(
            database, client.issuer, jwks_text=json.dumps(client.jwks()), jwks_url=None,
            fhir_server_hosts=["127.0.0.1"],
        )  # fmt: skip
    with isotrack_served(url) as base:
        yield CdsClinic(base, database, url, courses, ehr, other)
    database.dispose()
