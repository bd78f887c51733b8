"""Dispense decisions decided in one turn of the event loop go to the writer together.

The requests that arrive together (one wake-up of the event loop) are decided one after the
other in the same turn of the loop, because a decision never waits for anything until its
record has to be committed. The outbox collects their records and, at the start of the next
turn, hands them to the group-commit writer as one batch: one queue hand-over, one commit,
one wake-up back to the loop, instead of one of each per decision. Every request still gets
its answer only after its own record is committed.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import Future

from isotrack.store.authorizations import (
    AuthorizationRecord,
    AuthorizationWriter,
    Outcome,
    outcome_of,
)

_Waiting = list[tuple[AuthorizationRecord, "asyncio.Future[AuthorizationRecord]"]]


class DecisionOutbox:
    def __init__(self, writer: AuthorizationWriter) -> None:
        self._writer = writer
        # Per event loop: tests may drive one service from several loops.
        self._waiting: dict[asyncio.AbstractEventLoop, _Waiting] = {}

    def commit(self, record: AuthorizationRecord) -> asyncio.Future[AuthorizationRecord]:
        """A future that completes once ``record`` is committed (or fails as the writer
        reports: :class:`~isotrack.store.authorizations.DuplicateRequest`, a database error).
        """
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[AuthorizationRecord] = loop.create_future()
        waiting = self._waiting.get(loop)
        if waiting is None:
            waiting = self._waiting[loop] = []
            loop.call_soon(self._hand_over, loop)
        waiting.append((record, answer))
        return answer

    def _hand_over(self, loop: asyncio.AbstractEventLoop) -> None:
        waiting = self._waiting.pop(loop, [])
        if not waiting:
            return
        committed = self._writer.submit_batch([record for record, _ in waiting])

        def back_to_loop(done: Future[list[Outcome]]) -> None:
            if not loop.is_closed():  # after shutdown nobody is waiting any more
                loop.call_soon_threadsafe(_settle, waiting, done)

        committed.add_done_callback(back_to_loop)


def _settle(waiting: _Waiting, done: Future[list[Outcome]]) -> None:
    for index, (_record, answer) in enumerate(waiting):
        if answer.done():  # the caller went away; its record is committed all the same
            continue
        try:
            answer.set_result(outcome_of(done, index))
        except BaseException as failure:
            answer.set_exception(failure)
