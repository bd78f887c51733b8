"""A signed CDS call may be sent once. ``isotrack serve --workers N`` runs N processes, each
with its own store connections; a token replayed to another worker is refused as well, since
the ``jti`` of every accepted token is kept in the store until the token has expired.

Each test opens two separate service handles on one store (SQLite and PostgreSQL), as two
worker processes do."""

from __future__ import annotations

import asyncio
import json
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cds_support import TODAY, SigningClient, medication_order, order_sign, serving

from isotrack.server import create_app
from isotrack.service.cds import CallJournal, register_client
from isotrack.service.context import Service, open_service
from isotrack.service.settings import Settings
from isotrack.store.database import open_database, upgrade_schema

ISSUER = "https://ehr.example.org"
PUBLIC_URL = "https://isotrack.clinic.example"
SIGN = "isotrack-order-sign"
EXPIRES = 2_000_000_000.0  # a token's exp + skew, far ahead of the ``now`` the tests pass


def settings_of(url: str) -> Settings:
    return Settings(database_url=url, secret_key="test-secret-key-0123456789",
                    public_url=PUBLIC_URL)  # fmt: skip


@pytest.fixture
def two_workers(database_url: str) -> Iterator[tuple[Service, Service]]:
    """Two service handles on one migrated store: what two worker processes hold."""
    database = open_database(database_url)
    upgrade_schema(database)
    database.dispose()
    first = open_service(settings_of(database_url), pool_size=4)
    second = open_service(settings_of(database_url), pool_size=4)
    yield first, second
    first.close()
    second.close()


def test_a_token_used_at_one_worker_is_refused_at_the_other(
    two_workers: tuple[Service, Service],
) -> None:
    first, second = (CallJournal(s) for s in two_workers)
    jti = str(uuid.uuid4())
    assert asyncio.run(first.first_use(ISSUER, jti, EXPIRES, now=1_000.0))
    assert not asyncio.run(second.first_use(ISSUER, jti, EXPIRES, now=1_001.0))
    assert not asyncio.run(first.first_use(ISSUER, jti, EXPIRES, now=1_002.0))
    # The same jti from another client is another token.
    assert asyncio.run(second.first_use("https://other-ehr.example.org", jti, EXPIRES, now=1_003.0))


def test_of_the_same_token_sent_to_both_workers_at_once_exactly_one_is_accepted(
    two_workers: tuple[Service, Service],
) -> None:
    # One journal per event loop, as each worker has: here one per thread.
    guards = [CallJournal(two_workers[i % 2]) for i in range(8)]
    jti = str(uuid.uuid4())
    start = threading.Barrier(8)
    answers: list[bool] = []
    lock = threading.Lock()

    def send(guard: CallJournal) -> None:
        start.wait()
        accepted = asyncio.run(guard.first_use(ISSUER, jti, EXPIRES, now=1_000.0))
        with lock:
            answers.append(accepted)

    threads = [threading.Thread(target=send, args=(guards[i],)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(answers) == [False] * 7 + [True]


def test_the_note_of_an_expired_token_is_dropped(two_workers: tuple[Service, Service]) -> None:
    # An expired token is refused on its exp already; its jti need not be kept for ever.
    first, second = (CallJournal(s) for s in two_workers)
    assert asyncio.run(first.first_use(ISSUER, "short-lived", keep_until=1_300.0, now=1_000.0))
    assert not asyncio.run(second.first_use(ISSUER, "short-lived", keep_until=1_300.0, now=1_100.0))
    # Later than keep_until (and than the clean-up interval): the note is gone.
    assert asyncio.run(second.first_use(ISSUER, "another", keep_until=9_000.0, now=5_000.0))
    assert asyncio.run(first.first_use(ISSUER, "short-lived", keep_until=9_000.0, now=5_000.0))


def test_a_replayed_call_to_the_second_server_is_refused(tmp_path: Path) -> None:
    """Two isotrack servers behind one public address on one SQLite file, as two workers."""
    url = f"sqlite:///{tmp_path / 'clinic.sqlite'}"
    database = open_database(url)
    upgrade_schema(database)
    ehr = SigningClient.es384(ISSUER)
    register_client(database, ISSUER, jwks_text=json.dumps(ehr.jwks()), jwks_url=None)
    database.dispose()
    address = f"{PUBLIC_URL}/cds-services/{SIGN}"
    headers = ehr.auth(address)
    body = order_sign("demo-02", [medication_order(30)])
    with (
        serving(create_app(settings_of(url), today=lambda: TODAY)) as one,
        serving(create_app(settings_of(url), today=lambda: TODAY)) as other,
    ):
        accepted = httpx.post(f"{one}/cds-services/{SIGN}", json=body, headers=headers, timeout=30)
        replayed = httpx.post(f"{other}/cds-services/{SIGN}", json=body, headers=headers,
                              timeout=30)  # fmt: skip
    assert accepted.status_code == 200, accepted.text
    assert replayed.status_code == 401
    assert "jti replayed" in replayed.json()["issue"][0]["diagnostics"]


def test_calls_arriving_together_share_one_commit_and_a_token_in_it_twice_passes_once(
    two_workers: tuple[Service, Service],
) -> None:
    # Calls in flight at once on one worker are noted in one transaction (group commit): each
    # new token passes, and a token sent twice among them passes exactly once.
    journal = CallJournal(two_workers[0])
    repeated = str(uuid.uuid4())

    async def together() -> list[bool]:
        jtis = [str(uuid.uuid4()) for _ in range(6)] + [repeated, repeated]
        return list(await asyncio.gather(*(
            journal.first_use(ISSUER, jti, EXPIRES, now=1_000.0) for jti in jtis
        )))  # fmt: skip

    answers = asyncio.run(together())
    assert answers[:6] == [True] * 6
    assert sorted(answers[6:]) == [False, True]
