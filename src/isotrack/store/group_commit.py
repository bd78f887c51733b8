"""Small durable writes of concurrent requests, committed together (group commit).

Every CDS Hooks call leaves two small rows that must outlive a power cut: the ``jti`` of its
token (a replay must fail) and its access-log row (accounting of disclosures). One transaction
each costs one ``fsync`` per call, longer than the rest of the call; written here, the calls
that arrive while a commit is in flight share the next transaction and its single ``fsync``.
Each request's work runs in its own savepoint, so one failing work is refused alone, and the
caller is answered only after the transaction holding its rows has committed.

The commit runs on a worker thread: the event loop goes on serving while the disk syncs.
One :class:`GroupCommit` serves one event loop (one per worker process). The dispense
authorizations have a writer of their own (``store/authorizations.py``), which batches typed
records and seals them; this one takes any small write as a function of the connection.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Connection

from isotrack.store.database import Database

T = TypeVar("T")
Work = Callable[[Connection], Any]
_Outcome = tuple[bool, Any]  # (True, result) or (False, the exception it raised)


class GroupCommit:
    def __init__(self, database: Database) -> None:
        self._database = database
        self._waiting: list[tuple[Work, asyncio.Future[Any]]] = []
        self._flusher: asyncio.Task[None] | None = None

    async def run(self, work: Callable[[Connection], T]) -> T:
        """``work(connection)`` inside a write transaction shared with other requests; its
        result once that transaction has committed (its exception, its savepoint undone)."""
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._waiting.append((work, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        result: T = await future
        return result

    async def _flush(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            try:
                outcomes = await asyncio.to_thread(self._commit, [work for work, _ in batch])
            except Exception as exc:  # the transaction itself failed: no work was stored
                outcomes = [(False, exc)] * len(batch)
            for (_, future), (ok, value) in zip(batch, outcomes, strict=True):
                if future.done():  # the request went away; its rows are stored all the same
                    continue
                if ok:
                    future.set_result(value)
                else:
                    future.set_exception(value)

    def _commit(self, works: list[Work]) -> list[_Outcome]:
        outcomes: list[_Outcome] = []
        with self._database.writing() as connection:
            for work in works:
                try:
                    with connection.begin_nested():
                        outcomes.append((True, work(connection)))
                except Exception as exc:  # refused alone; the others still commit
                    outcomes.append((False, exc))
        return outcomes
