"""Idempotency keys: a retried POST with the same key gets the first answer, recorded once.

The stored answer is written in the same transaction as the change it describes, so either
both exist or neither does.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import Connection, insert, select

from isotrack.store.clock import epoch_seconds
from isotrack.store.tables import idempotency_keys


def request_fingerprint(method: str, path: str, body: bytes) -> str:
    """What must match for a retry to count as the same request."""
    digest = hashlib.sha256()
    for part in (method.upper().encode(), path.encode(), body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


@dataclass(frozen=True)
class StoredResponse:
    fingerprint: str
    status_code: int
    body: str
    etag: str | None


def stored_response(connection: Connection, user_id: str, key: str) -> StoredResponse | None:
    row = connection.execute(
        select(
            idempotency_keys.c.fingerprint,
            idempotency_keys.c.status_code,
            idempotency_keys.c.response_body,
            idempotency_keys.c.etag,
        ).where(idempotency_keys.c.user_id == user_id, idempotency_keys.c.key == key)
    ).first()
    return StoredResponse(*row) if row else None


def remember_response(
    connection: Connection,
    *,
    user_id: str,
    key: str,
    fingerprint: str,
    status_code: int,
    body: str,
    etag: str | None,
) -> None:
    """Store the answer in the caller's transaction (fails if the key was taken meanwhile)."""
    connection.execute(
        insert(idempotency_keys).values(
            user_id=user_id,
            key=key,
            fingerprint=fingerprint,
            status_code=status_code,
            response_body=body,
            etag=etag,
            created_at=epoch_seconds(),
        )
    )
