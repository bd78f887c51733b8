"""CDS Hooks use cases: registering a CDS client, its keys, the course an EHR call is about,
and recording a clinician's override of a critical card as an ``alert_review`` event.

The card wording lives in ``isotrack.interop.cds``; the API door puts the two together.
"""

from __future__ import annotations

import json
import re
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
from sqlalchemy import Connection

from isotrack.domain.clinical_events import AlertReviewed
from isotrack.domain.errors import RecordNotFound, rejected_field
from isotrack.service.cds_patients import (
    EhrCourse,
    EhrPatient,
    course_answers,
    ehr_patient,
    order_check,
)
from isotrack.service.context import Service
from isotrack.service.disclosures import ehr_access_row
from isotrack.service.operations import SchemaNotCurrent
from isotrack.service.worklist import update_row
from isotrack.store import cds_clients as store
from isotrack.store.cds_clients import CdsClient, IssuedCard
from isotrack.store.courses import append_event, read_course
from isotrack.store.database import Database, open_database, schema_status
from isotrack.store.statements import as_reader

__all__ = [
    "CdsClient", "EhrCourse", "EhrPatient", "IssuedCard", "course_answers", "ehr_patient",
    "order_check",
]  # fmt: skip

JWKS_CACHE_SECONDS = 300
JWKS_FETCH_TIMEOUT_SECONDS = 2.0
_REVIEW_NAMESPACE = uuid.UUID("5d3c1f7e-2a8b-4c6d-9e0f-1a2b3c4d5e6f")
_RECORDED_BY_MAX = 80

FORGET_EXPIRED_EVERY_SECONDS = 60.0
_HOST = re.compile(r"^([a-z0-9]([a-z0-9.-]*[a-z0-9])?|\[[0-9a-f:.]+\])(:[0-9]{1,5})?$")


@dataclass(frozen=True)
class _Trusted:
    jwks: Mapping[str, Any] | None
    fhir_server_hosts: tuple[str, ...]


_jwks_cache: dict[tuple[str | None, str], tuple[float, _Trusted | None]] = {}
_jwks_lock = threading.Lock()


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


def _checked_hosts(hosts: Iterable[str]) -> tuple[str, ...]:
    checked: list[str] = []
    for given in hosts:
        host = given.strip().lower()
        if not _HOST.match(host):
            raise rejected_field(
                "fhir_server_host", given, "a host name or address, optionally with :port "
                "(e.g. fhir.clinic.example or 127.0.0.1:8080)", "not a host",
            )  # fmt: skip
        if host not in checked:
            checked.append(host)
    return tuple(checked)


def register_client(
    database: Database, issuer: str, *, jwks_text: str | None, jwks_url: str | None,
    fhir_server_hosts: Iterable[str] = (),
) -> CdsClient:  # fmt: skip
    """Trust JWTs from ``issuer`` signed by a key of the JWKS given (document or address).

    ``fhir_server_hosts`` are the hosts the client's requests may name as ``fhirServer``
    (isotrack fetches missing prefetch there); with none, isotrack fetches from nowhere."""
    if not issuer.strip():
        raise rejected_field("issuer", issuer, "the client's iss claim", "issuer is empty")
    if (jwks_text is None) == (jwks_url is None):
        raise rejected_field("jwks", "", "exactly one of a JWKS file or a JWKS URL", "no JWKS")
    if jwks_url is not None and urlsplit(jwks_url).scheme not in ("http", "https"):
        raise rejected_field("jwks_url", jwks_url, "an http(s) address", "not a web address")
    checked = _checked_jwks(jwks_text, "jwks_file") if jwks_text is not None else None
    hosts = _checked_hosts(fhir_server_hosts)
    with database.writing() as connection:
        client = store.save_client(connection, issuer.strip(), checked, jwks_url, hosts)
    with _jwks_lock:
        _jwks_cache.clear()
    return client


def register_client_at(
    database_url: str | None, issuer: str, *, jwks_text: str | None, jwks_url: str | None,
    fhir_server_hosts: Iterable[str] = (),
) -> CdsClient:  # fmt: skip
    """:func:`register_client` for the operator's command, on a store of the current schema."""
    with _current_store(database_url) as database:
        return register_client(
            database, issuer, jwks_text=jwks_text, jwks_url=jwks_url,
            fhir_server_hosts=fhir_server_hosts,
        )  # fmt: skip


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


def _trusted(service: Service, issuer: str) -> _Trusted | None:
    """What isotrack trusts of ``issuer`` (None: not registered), kept for a few minutes so
    keys rotate without a restart."""
    key = (service.settings.database_url, issuer)
    now = time.monotonic()
    with _jwks_lock:
        cached = _jwks_cache.get(key)
    if cached is not None and now - cached[0] < JWKS_CACHE_SECONDS:
        return cached[1]
    with service.database.reading() as connection:
        client = store.client_of(connection, issuer)
    trusted: _Trusted | None = None
    if client is not None:
        jwks: Mapping[str, Any] | None = None
        if client.jwks is not None:
            jwks = json.loads(client.jwks)
        elif client.jwks_url is not None:
            jwks = _fetch_jwks(client.jwks_url)
        trusted = _Trusted(jwks, client.fhir_server_hosts)
    with _jwks_lock:
        _jwks_cache[key] = (now, trusted)
    return trusted


def client_jwks(service: Service, issuer: str) -> Mapping[str, Any] | None:
    """The registered JWKS of ``issuer``; None when the issuer is not registered (or its JWKS
    address does not answer)."""
    trusted = _trusted(service, issuer)
    return trusted.jwks if trusted is not None else None


def fhir_server_refusal(service: Service, issuer: str, fhir_server: str) -> str | None:
    """Why isotrack will not fetch from ``fhir_server`` for this client (None: it may): the
    host must be one registered for the client (``host`` matches any port, ``host:port`` only
    that port) and the address http(s)."""
    parts = urlsplit(fhir_server)
    host = (parts.hostname or "").lower()
    trusted = _trusted(service, issuer)
    allowed = trusted.fhir_server_hosts if trusted is not None else ()
    if parts.scheme not in ("http", "https") or not host:
        return f"the fhirServer {fhir_server!r} is not an http(s) address"
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return f"the fhirServer {fhir_server!r} has no valid port"
    shown = f"[{host}]" if ":" in host else host
    if shown in allowed or f"{shown}:{port}" in allowed:
        return None
    return (
        f"the FHIR server host {shown} is not one this EHR is registered to send isotrack to "
        "(isotrack cds-client add --fhir-server-host)"
    )


class CallJournal:
    """What each CDS call leaves in the store, in one durable transaction shared with the
    calls that arrive meanwhile: its token's ``jti`` (kept until the token expires, so a
    token replayed to any worker process is refused) and, when it read a course, its
    access-log row. One journal per worker process (per event loop)."""

    def __init__(self, service: Service) -> None:
        self._service = service
        self._commits = service.commits
        self._forgotten_at = 0.0

    async def first_use(
        self, issuer: str, jti: str, keep_until: float, now: float,
        disclosed: EhrPatient | None = None,
    ) -> bool:  # fmt: skip
        """Note the use of ``jti`` by ``issuer`` and the disclosure of ``disclosed``; False
        (and nothing noted) when the token was used before."""
        if now - self._forgotten_at >= FORGET_EXPIRED_EVERY_SECONDS:
            self._forgotten_at = now
            await self._commits.run(lambda connection: store.forget_expired_tokens(connection, now))
        access = (
            ehr_access_row(issuer, disclosed.patient_id, disclosed.course_id)
            if disclosed is not None
            else None
        )

        def note(connection: Connection) -> bool:
            if not store.first_use_of_token(as_reader(connection), issuer, jti, keep_until):
                return False
            if access is not None:
                access(connection)
            return True

        return await self._commits.run(note)

    async def disclosure(self, issuer: str, disclosed: EhrPatient) -> None:
        """The access-log row alone, for a call whose ``jti`` was noted before it fetched
        from the EHR's FHIR server (the fetch goes only with a token not seen before)."""
        await self._commits.run(ehr_access_row(issuer, disclosed.patient_id, disclosed.course_id))


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
        course = read_course(connection, issued.course_id)
        known = {e.event_id for e in course.events}
        timeline = course.timeline()
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
            timeline = timeline.with_event(review)
        if not already:
            # The today list's and the queue's row move with the course, in the reviews' own
            # transaction.
            update_row(service, connection, issued.course_id, timeline)
    return OverrideRecorded(issued.course_id, tuple(recorded), already)
