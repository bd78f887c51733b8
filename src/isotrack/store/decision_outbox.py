"""Dispense decisions decided in one turn of the event loop go to the writer together
(``loop_turns``): the API hands over all the decisions worked out in one turn as one batch."""

from __future__ import annotations

from isotrack.store.authorizations import AuthorizationRecord, AuthorizationWriter, outcome_of
from isotrack.store.loop_turns import LoopTurnOutbox


class DecisionOutbox(LoopTurnOutbox[AuthorizationRecord, AuthorizationRecord]):
    """``commit(record)``: a future that completes once ``record`` is committed (or fails as
    the writer reports: :class:`~isotrack.store.authorizations.DuplicateRequest`, a database
    error)."""

    def __init__(self, writer: AuthorizationWriter) -> None:
        super().__init__(writer.submit_batch, outcome_of)
