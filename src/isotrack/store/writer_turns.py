"""SQLite writers of one database file take turns on an OS file lock, in every process.

SQLite lets one writer in at a time. A writer that finds the file locked does not queue: its
busy handler sleeps and retries (1, 2, 5, 10 … 100 ms), so two service processes that both
write often keep waking each other too late, and a decision's answer waits tens of
milliseconds for a lock that was free after a fraction of one. An exclusive ``flock`` on a
file beside the database queues the writers in the kernel instead: the next one wakes as
soon as the previous one commits. Whoever does not take the turn (another program) is still
kept out by SQLite's own lock.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows: SQLite's own lock alone decides
    fcntl = None  # type: ignore[assignment]


class WriterTurns:
    """The queue of writers for one SQLite file; ``turn()`` waits for and holds the turn."""

    def __init__(self, database_file: Path) -> None:
        self.lock_file = database_file.with_name(database_file.name + ".writer-lock")
        self._local = threading.local()
        self._descriptors: list[int] = []
        self._in_turn: set[int] = set()  # descriptors whose thread is inside turn() now
        self._close_after_turn: set[int] = set()  # in a turn when close() ran
        self._guard = threading.Lock()

    def _descriptor(self) -> int:
        """This thread's open lock file (the caller holds ``_guard``)."""
        descriptor: int | None = getattr(self._local, "descriptor", None)
        if descriptor is None:
            # One open file per thread: flock excludes other open files, threads included.
            descriptor = os.open(self.lock_file, os.O_RDWR | os.O_CREAT, 0o600)
            self._local.descriptor = descriptor
            self._descriptors.append(descriptor)
        return descriptor

    @contextmanager
    def turn(self) -> Iterator[None]:
        if fcntl is None or getattr(self._local, "holding", False):
            # Already this thread's turn (a nested write): SQLite's own lock decides.
            yield
            return
        with self._guard:  # fetched and marked together, so close() cannot slip in between
            descriptor = self._descriptor()
            self._in_turn.add(descriptor)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            self._local.holding = True
            try:
                yield
            finally:
                self._local.holding = False
                fcntl.flock(descriptor, fcntl.LOCK_UN)
        finally:
            with self._guard:
                self._in_turn.discard(descriptor)
                close_now = descriptor in self._close_after_turn
                self._close_after_turn.discard(descriptor)
            if close_now:  # close() ran during this turn and left this descriptor to us
                os.close(descriptor)

    def close(self) -> None:
        """Close the lock files; one still in a turn is closed when its turn ends."""
        with self._guard:
            descriptors, self._descriptors = self._descriptors, []
            idle = [d for d in descriptors if d not in self._in_turn]
            self._close_after_turn.update(d for d in descriptors if d in self._in_turn)
            self._local = threading.local()
        for descriptor in idle:
            os.close(descriptor)
