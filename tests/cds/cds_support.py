"""What the CDS Hooks tests share: a signing EHR (PyJWT, ES384 and RS384), isotrack served by
uvicorn on a real loopback socket, and FHIR servers of the tests' own on loopback."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import jwt
import uvicorn
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from isotrack.domain.timeline import Timeline
from isotrack.interop.fhir.convert import fhir_to_timeline, timeline_to_fhir
from isotrack.knowledge import load_knowledge
from isotrack.server import create_app
from isotrack.service.settings import Settings
from isotrack.store.courses import import_timeline
from isotrack.store.database import Database
from isotrack.store.demo_clinic import demo_patients

TODAY = dt.date(2026, 10, 15)
EHR_ISSUER = "https://ehr.example.org"
FETCH_BUDGET_IN_TESTS_SECONDS = 5.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class SigningClient:
    """An EHR that signs each call with its own key, as CDS Hooks 2.0 asks."""

    issuer: str
    algorithm: str
    private_key: Any
    kid: str = field(default_factory=lambda: str(uuid.uuid4()))

    @classmethod
    def es384(cls, issuer: str = EHR_ISSUER) -> SigningClient:
        return cls(issuer, "ES384", ec.generate_private_key(ec.SECP384R1()))

    @classmethod
    def rs384(cls, issuer: str = EHR_ISSUER) -> SigningClient:
        return cls(issuer, "RS384", rsa.generate_private_key(public_exponent=65537, key_size=2048))

    def jwks(self) -> dict[str, Any]:
        public = self.private_key.public_key()
        writer = ECAlgorithm if self.algorithm.startswith("ES") else RSAAlgorithm
        key = json.loads(writer.to_jwk(public))
        key.update({"kid": self.kid, "use": "sig", "alg": self.algorithm})
        return {"keys": [key]}

    def token(self, audience: str | list[str], *, lifetime_s: int = 300, jti: str | None = None,
              issued_at: float | None = None, **header: Any) -> str:  # fmt: skip
        now = issued_at if issued_at is not None else time.time()
        claims = {"iss": self.issuer, "aud": audience, "iat": int(now),
                  "exp": int(now + lifetime_s), "jti": jti or str(uuid.uuid4())}  # fmt: skip
        headers = {"kid": self.kid, "typ": "JWT", **header}
        return jwt.encode(claims, self.private_key, algorithm=self.algorithm, headers=headers)

    def auth(self, audience: str, **kwargs: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(audience, **kwargs)}"}


def imported_from_fhir(database: Database, patient_id: str) -> str:
    """A demo course written as a FHIR bundle, read back and stored, as an EHR's import would."""
    knowledge = load_knowledge()
    demo: Timeline = next(
        p.timeline for p in demo_patients(TODAY) if p.timeline.patient.id == patient_id
    )
    bundle = timeline_to_fhir(knowledge, demo).bundle
    read = fhir_to_timeline(knowledge, bundle)
    assert read.timeline is not None, read.report.lines()
    with database.writing() as connection:
        return import_timeline(
            connection, read.timeline, recorded_by="fhir-import", prescriber_user_id=None
        ).id


class _Server(uvicorn.Server):
    def install_signal_handlers(self) -> None:  # the test runner owns the signals
        pass


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """``app`` on a real loopback socket for the duration of the block; yields its base URL."""
    port = free_port()
    server = _Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                    lifespan="on"))  # fmt: skip
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def isotrack_served(database_url: str) -> Iterator[str]:
    # A generous FHIR fetch budget: on a loaded machine a loopback FHIR server in this same
    # process may take longer than the production budget to answer, and a test expecting a
    # fetch must not depend on that; the hanging-server tests wait the budget out.
    settings = Settings(database_url=database_url, secret_key="test-secret-key-0123456789",
                        cds_fetch_budget_seconds=FETCH_BUDGET_IN_TESTS_SECONDS)  # fmt: skip
    with serving(create_app(settings, today=lambda: TODAY)) as base:
        yield base


def fhir_server(routes: dict[str, Callable[[Request], Any]]) -> Starlette:
    """A tiny FHIR server: ``{"/Patient/demo-02": handler}``; handlers may be async."""

    def endpoint(handler: Callable[[Request], Any]) -> Callable[[Request], Any]:
        async def answer(request: Request) -> JSONResponse:
            found = handler(request)
            if asyncio.iscoroutine(found):
                found = await found
            return JSONResponse(found, media_type="application/fhir+json")

        return answer

    return Starlette(routes=[Route(path, endpoint(h)) for path, h in routes.items()])


async def hang(_request: Request) -> Any:
    """A FHIR server that never answers in time."""
    await asyncio.sleep(30)
    return {}


def medication_order(
    days_supply: int, dose_mg: float = 40, *, rid: str = "draft-1",
    product_code: str = "absorica", stu3: bool = False,
) -> dict[str, Any]:  # fmt: skip
    dose = {"value": dose_mg, "unit": "mg", "system": "http://unitsofmeasure.org", "code": "mg"}
    dosage: dict[str, Any] = (
        {"doseQuantity": dose} if stu3 else {"doseAndRate": [{"doseQuantity": dose}]}
    )
    dosage["timing"] = {"repeat": {"frequency": 1, "period": 1, "periodUnit": "d"}}
    return {
        "resourceType": "MedicationRequest", "id": rid, "status": "draft", "intent": "order",
        "medicationCodeableConcept": {"coding": [
            {"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "6064",
             "display": "isotretinoin"},
            {"system": "https://isotrack.invalid/fhir/CodeSystem/product", "code": product_code},
        ], "text": f"{product_code} {dose_mg:g} mg"},
        "subject": {"reference": "Patient/demo-02"},
        "dosageInstruction": [dosage],
        "dispenseRequest": {"expectedSupplyDuration": {
            "value": days_supply, "unit": "days", "system": "http://unitsofmeasure.org",
            "code": "d"}},
    }  # fmt: skip


def order_sign(patient_id: str, orders: list[dict[str, Any]], *, prefetch: Any = "default",
               bundle_type: bool = True, **extra: Any) -> dict[str, Any]:  # fmt: skip
    bundle: dict[str, Any] = {"resourceType": "Bundle", "entry": [{"resource": o} for o in orders]}
    if bundle_type:
        bundle["type"] = "collection"
    body: dict[str, Any] = {
        "hook": "order-sign", "hookInstance": str(uuid.uuid4()),
        "context": {"userId": "Practitioner/dr-lee", "patientId": patient_id,
                    "draftOrders": bundle},
        **extra,
    }  # fmt: skip
    if prefetch == "default":
        body["prefetch"] = {
            "patient": {"resourceType": "Patient", "id": patient_id},
            "medications": {"resourceType": "Bundle", "type": "searchset"},
        }
    elif prefetch is not None:
        body["prefetch"] = prefetch
    return body
