"""CDS Hooks use cases: registering a CDS client, its keys, the course an EHR call is about,
and recording a clinician's override of a critical card as an ``alert_review`` event.

The card wording lives in ``isotrack.interop.cds``; the API door puts the two together.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
import jwt

from isotrack.domain.clinical_events import AlertReviewed
from isotrack.domain.errors import RecordNotFound, rejected_field
from isotrack.domain.timeline import Timeline
from isotrack.engines.assessment import Assessment, assess
from isotrack.service.cds_patients import ehr_patient_course
from isotrack.service.context import Service
from isotrack.service.operations import SchemaNotCurrent
from isotrack.store import cds_clients as store
from isotrack.store.cds_clients import CdsClient, IssuedCard
from isotrack.store.courses import append_event, read_course
from isotrack.store.database import Database, open_database, schema_status

__all__ = ["CdsClient", "EhrCourse", "IssuedCard"]

JWKS_CACHE_SECONDS = 300
JWKS_FETCH_TIMEOUT_SECONDS = 2.0
_REVIEW_NAMESPACE = uuid.UUID("5d3c1f7e-2a8b-4c6d-9e0f-1a2b3c4d5e6f")
_RECORDED_BY_MAX = 80

ASSESSED_COURSES_KEPT = 512
_assessed: dict[tuple[str, str, int, dt.date], EhrCourse] = {}
_assessed_lock = threading.Lock()
_jwks_cache: dict[tuple[str, str], tuple[float, Mapping[str, Any] | None]] = {}
_jwks_lock = threading.Lock()


@dataclass(frozen=True)
class EhrCourse:
    course_id: str
    timeline: Timeline
    assessment: Assessment


def _checked_jwks(text: str, where: str) -> str:
    try:
        document = json.loads(text)
        keys = jwt.PyJWKSet.from_dict(document)
    except (json.JSONDecodeError, jwt.PyJWKSetError, jwt.InvalidKeyError, TypeError) as exc:
        raise rejected_field(where, "(document)", 'a JWKS: {"keys": [...]}', str(exc)) from None
    if any(not k.key_id for k in keys.keys):
        raise rejected_field(where, "(document)", "every key with a kid", "a key has no kid")
    if any(k.key_type == "oct" for k in keys.keys):
        raise rejected_field(where, "oct", "EC or RSA public keys", "symmetric keys refused")
    return json.dumps(document)


def register_client(
    database: Database, issuer: str, *, jwks_text: str | None, jwks_url: str | None
) -> CdsClient:
    """Trust JWTs from ``issuer`` signed by a key of the JWKS given (document or address)."""
    if not issuer.strip():
        raise rejected_field("issuer", issuer, "the client's iss claim", "issuer is empty")
    if (jwks_text is None) == (jwks_url is None):
        raise rejected_field("jwks", "", "exactly one of a JWKS file or a JWKS URL", "no JWKS")
    if jwks_url is not None and urlsplit(jwks_url).scheme not in ("http", "https"):
        raise rejected_field("jwks_url", jwks_url, "an http(s) address", "not a web address")
    checked = _checked_jwks(jwks_text, "jwks_file") if jwks_text is not None else None
    with database.writing() as connection:
        client = store.save_client(connection, issuer.strip(), checked, jwks_url)
    with _jwks_lock:
        _jwks_cache.clear()
    return client


def register_client_at(
    database_url: str | None, issuer: str, *, jwks_text: str | None, jwks_url: str | None
) -> CdsClient:
    """:func:`register_client` for the operator's command, on a store of the current schema."""
    with _current_store(database_url) as database:
        return register_client(database, issuer, jwks_text=jwks_text, jwks_url=jwks_url)


def clients_at(database_url: str | None) -> list[CdsClient]:
    with _current_store(database_url) as database, database.reading() as connection:
        return store.all_clients(connection)


@contextmanager
def _current_store(database_url: str | None) -> Iterator[Database]:
    database = open_database(database_url)
    try:
        status = schema_status(database)
        if not status.up_to_date:
            raise SchemaNotCurrent(status.explain())
        yield database
    finally:
        database.dispose()


def _fetch_jwks(url: str) -> Mapping[str, Any] | None:
    try:
        response = httpx.get(url, timeout=JWKS_FETCH_TIMEOUT_SECONDS, trust_env=False)
        response.raise_for_status()
        document = response.json()
    except (httpx.HTTPError, ValueError):
        return None
    return document if isinstance(document, dict) else None


def client_jwks(service: Service, issuer: str) -> Mapping[str, Any] | None:
    """The registered JWKS of ``issuer``; None when the issuer is not registered (or its JWKS
    address does not answer). Kept for a few minutes, so keys rotate without a restart."""
    key = (service.settings.database_url, issuer)
    now = time.monotonic()
    with _jwks_lock:
        cached = _jwks_cache.get(key)
    if cached is not None and now - cached[0] < JWKS_CACHE_SECONDS:
        return cached[1]
    with service.database.reading() as connection:
        client = store.client_of(connection, issuer)
    jwks: Mapping[str, Any] | None = None
    if client is not None and client.jwks is not None:
        jwks = json.loads(client.jwks)
    elif client is not None and client.jwks_url is not None:
        jwks = _fetch_jwks(client.jwks_url)
    with _jwks_lock:
        _jwks_cache[key] = (now, jwks)
    return jwks


def ehr_course(
    service: Service, fhir_patient_id: str | None, identifiers: Iterable[str] = ()
) -> EhrCourse | None:
    """The course of an EHR's patient, assessed today; None when isotrack does not know them."""
    course = ehr_patient_course(service, fhir_patient_id, identifiers)
    if course is None:
        return None
    timeline = course.timeline()
    return EhrCourse(
        course.header.id, timeline, assess(service.knowledge(), timeline, service.today())
    )


def remember_critical_cards(service: Service, cards: list[IssuedCard]) -> None:
    if cards:
        with service.database.writing() as connection:
            store.remember_cards(connection, cards)


@dataclass(frozen=True)
class OverrideRecorded:
    course_id: str
    event_ids: tuple[str, ...]
    already_recorded: bool


def record_override(service: Service, issuer: str, card_uuid: str, reason: str) -> OverrideRecorded:
    """A clinician overrode a critical card in the EHR: one ``alert_review`` (continue) per
    alert on the card, noting who, through which client, and why. Feedback repeated for the
    same card records nothing more."""
    with service.database.reading() as connection:
        issued = store.issued_card(connection, card_uuid)
    if issued is None or issued.issuer != issuer:
        raise RecordNotFound(f"no critical card {card_uuid!r} was handed to this client")
    who = issued.clinician or "an EHR user"
    note = f"Overridden in the EHR by {who} (CDS client {issuer}): {reason}"
    recorded: list[str] = []
    already = True
    with service.database.writing() as connection:
        known = {e.event_id for e in read_course(connection, issued.course_id).events}
        for alert_id in issued.alert_ids:
            event_id = "cds-review-" + str(uuid.uuid5(_REVIEW_NAMESPACE, f"{card_uuid}|{alert_id}"))
            recorded.append(event_id)
            if event_id in known:
                continue
            already = False
            review = AlertReviewed(
                id=event_id, date=service.today(), alert_id=alert_id, outcome="continue",
                note=note[:4000], recorded_by=f"cds:{issuer}"[:_RECORDED_BY_MAX],
            )  # fmt: skip
            append_event(
                connection, issued.course_id, review,
                recorded_by=review.recorded_by or "cds", expected_version=None,
            )  # fmt: skip
    return OverrideRecorded(issued.course_id, tuple(recorded), already)
