"""Registered CDS clients and the critical cards isotrack handed to them."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import Connection, delete, insert, select

from isotrack.store.clock import utc_timestamp
from isotrack.store.tables import cds_cards, cds_clients


@dataclass(frozen=True)
class CdsClient:
    issuer: str
    jwks: str | None  # the JWKS document, when registered from a file
    jwks_url: str | None  # else where to fetch it
    added_at: str


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
    connection: Connection, issuer: str, jwks: str | None, jwks_url: str | None
) -> CdsClient:
    """Register ``issuer`` (replacing an earlier registration of the same issuer)."""
    added_at = utc_timestamp()
    connection.execute(delete(cds_clients).where(cds_clients.c.issuer == issuer))
    connection.execute(
        insert(cds_clients).values(issuer=issuer, jwks=jwks, jwks_url=jwks_url, added_at=added_at)
    )
    return CdsClient(issuer, jwks, jwks_url, added_at)


def client_of(connection: Connection, issuer: str) -> CdsClient | None:
    row = connection.execute(select(cds_clients).where(cds_clients.c.issuer == issuer)).first()
    return CdsClient(row.issuer, row.jwks, row.jwks_url, row.added_at) if row else None


def all_clients(connection: Connection) -> list[CdsClient]:
    rows = connection.execute(select(cds_clients).order_by(cds_clients.c.issuer)).all()
    return [CdsClient(r.issuer, r.jwks, r.jwks_url, r.added_at) for r in rows]


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
