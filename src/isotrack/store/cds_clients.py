"""Registered CDS clients and the critical cards isotrack handed to them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from isotrack.store.clock import utc_timestamp
from isotrack.store.statements import PreparedQuery, Reader
from isotrack.store.tables import cds_cards, cds_clients, cds_token_uses


@dataclass(frozen=True)
class CdsClient:
    issuer: str
    jwks: str | None  # the JWKS document, when registered from a file
    jwks_url: str | None  # else where to fetch it
    added_at: str
    # the hosts ("host" or "host:port") a request's fhirServer may name; empty: none
    fhir_server_hosts: tuple[str, ...] = ()


@dataclass(frozen=True)
class IssuedCard:
    uuid: str
    course_id: str
    alert_ids: tuple[str, ...]
    service_id: str
    issuer: str
    clinician: str | None
    hook_instance: str


def save_client(
    connection: Connection, issuer: str, jwks: str | None, jwks_url: str | None,
    fhir_server_hosts: tuple[str, ...] = (),
) -> CdsClient:  # fmt: skip
    """Register ``issuer`` (replacing an earlier registration of the same issuer)."""
    added_at = utc_timestamp()
    connection.execute(delete(cds_clients).where(cds_clients.c.issuer == issuer))
    connection.execute(
        insert(cds_clients).values(
            issuer=issuer, jwks=jwks, jwks_url=jwks_url, added_at=added_at,
            fhir_server_hosts=json.dumps(list(fhir_server_hosts)),
        )
    )  # fmt: skip
    return CdsClient(issuer, jwks, jwks_url, added_at, fhir_server_hosts)


def _client(row: Any) -> CdsClient:
    hosts = json.loads(row.fhir_server_hosts) if row.fhir_server_hosts else []
    return CdsClient(row.issuer, row.jwks, row.jwks_url, row.added_at, tuple(hosts))


def client_of(connection: Connection, issuer: str) -> CdsClient | None:
    row = connection.execute(select(cds_clients).where(cds_clients.c.issuer == issuer)).first()
    return _client(row) if row else None


def all_clients(connection: Connection) -> list[CdsClient]:
    rows = connection.execute(select(cds_clients).order_by(cds_clients.c.issuer)).all()
    return [_client(r) for r in rows]


def _noted(dialect: Any) -> PreparedQuery:
    values: dict[str, Any] = {"issuer": bindparam("issuer"), "jti": bindparam("jti"),
              "expires_at": bindparam("expires_at")}  # fmt: skip
    statement = dialect.insert(cds_token_uses).values(values).on_conflict_do_nothing()
    return PreparedQuery(statement.returning(cds_token_uses.c.jti))


# INSERT ... ON CONFLICT DO NOTHING RETURNING, compiled once per dialect.
_NOTE_TOKEN = {"sqlite": _noted(sqlite), "postgresql": _noted(postgresql)}


def first_use_of_token(writer: Reader, issuer: str, jti: str, expires_at: float) -> bool:
    """Note that ``issuer`` used ``jti``; False when it was noted before (by any process).

    One statement that commits by itself, keyed on (issuer, jti): of two processes racing
    with the same token, exactly one gets the row back.
    """
    query = _NOTE_TOKEN[writer.dialect.name]
    return bool(writer.rows(query, issuer=issuer, jti=jti, expires_at=expires_at))


def forget_expired_tokens(connection: Connection, now: float) -> int:
    """Drop the ``jti`` of tokens expired before ``now`` (a replay of those fails on ``exp``)."""
    result = connection.execute(delete(cds_token_uses).where(cds_token_uses.c.expires_at < now))
    return int(result.rowcount or 0)


def remember_cards(connection: Connection, cards: list[IssuedCard]) -> None:
    """Keep critical cards for their feedback; a card already kept (the same hook call
    repeated) is kept once."""
    if not cards:
        return
    known = set(
        connection.execute(
            select(cds_cards.c.uuid).where(cds_cards.c.uuid.in_([c.uuid for c in cards]))
        ).scalars()
    )
    issued_at = utc_timestamp()
    rows = [
        {
            "uuid": c.uuid,
            "course_id": c.course_id,
            "alert_ids": json.dumps(list(c.alert_ids)),
            "service_id": c.service_id,
            "issuer": c.issuer,
            "clinician": c.clinician,
            "hook_instance": c.hook_instance,
            "issued_at": issued_at,
        }
        for c in cards
        if c.uuid not in known
    ]
    if rows:
        connection.execute(insert(cds_cards), rows)


def issued_card(connection: Connection, card_uuid: str) -> IssuedCard | None:
    row = connection.execute(select(cds_cards).where(cds_cards.c.uuid == card_uuid)).first()
    if row is None:
        return None
    return IssuedCard(
        row.uuid, row.course_id, tuple(json.loads(row.alert_ids)), row.service_id, row.issuer,
        row.clinician, row.hook_instance,
    )  # fmt: skip
