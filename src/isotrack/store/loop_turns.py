"""Writes asked for in one turn of the event loop go to the group-commit writer together.

Requests that arrive together (one wake-up of the event loop) are worked out one after the
other in the same turn of the loop, since none of them waits for anything until its write has
to be committed. An outbox collects their writes and, at the start of the next turn, hands them
to the writer thread as one batch: one queue hand-over, one commit, one wake-up back to the
loop, instead of one of each per request. Every request still gets its answer only after its
own write is committed. The dispense decisions (``decision_outbox``) and CDS Hooks' small rows
(``GroupCommit.run``) both go this way.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, Generic, TypeVar

Item = TypeVar("Item")
Answer = TypeVar("Answer")
HandOver = Callable[[list[Item]], "Future[Any]"]
"""Queues a turn's items for the writer; the future completes once they are committed."""
AnswerOf = Callable[["Future[Any]", int], Answer]
"""The answer for the item at an index of a committed hand-over (raises its refusal)."""


class LoopTurnOutbox(Generic[Item, Answer]):
    def __init__(self, hand_over: HandOver[Item], answer_of: AnswerOf[Answer]) -> None:
        self._hand_over_items = hand_over
        self._answer_of = answer_of
        # Per event loop: tests may drive one service from several loops.
        self._waiting: dict[asyncio.AbstractEventLoop, list[tuple[Item, asyncio.Future[Answer]]]]
        self._waiting = {}

    def commit(self, item: Item) -> asyncio.Future[Answer]:
        """A future that completes once ``item`` is committed, or fails as the writer says."""
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[Answer] = loop.create_future()
        waiting = self._waiting.get(loop)
        if waiting is None:
            waiting = self._waiting[loop] = []
            loop.call_soon(self._hand_over, loop)
        waiting.append((item, answer))
        return answer

    def _hand_over(self, loop: asyncio.AbstractEventLoop) -> None:
        waiting = self._waiting.pop(loop, [])
        if not waiting:
            return
        committed = self._hand_over_items([item for item, _ in waiting])

        def back_to_loop(done: Future[Any]) -> None:
            if not loop.is_closed():  # after shutdown nobody is waiting any more
                loop.call_soon_threadsafe(self._settle, waiting, done)

        committed.add_done_callback(back_to_loop)

    def _settle(
        self, waiting: list[tuple[Item, asyncio.Future[Answer]]], done: Future[Any]
    ) -> None:
        for index, (_item, answer) in enumerate(waiting):
            if answer.done():  # the caller went away; its write is committed all the same
                continue
            try:
                answer.set_result(self._answer_of(done, index))
            except BaseException as failure:
                answer.set_exception(failure)
