"""A course as it stood before one of its events, sharing with the whole course what an event
alone decides.

The audit judges each dispense on the record as it stood before it (decision 34): a prefix of
the events in recording order, a timeline of its own. Most of what the engines work out from a
prefix depends on the prefix as a whole (its effective events, its snapshot, its decision), but
some of it depends on one event alone: how a lab result reads (its test resolved, its value
converted) and the grade band it reaches. :func:`course_prefix` cuts a prefix that shares one
store with the whole course, so that every prefix reads such a per-event answer computed once;
:func:`per_event` reads or fills that store. A timeline that is no prefix has a store of its own,
so an engine asked about one course alone works out each answer once, as before.

The store is keyed by the object (an event, a lab reading, a series of readings) and the
knowledge base, and holds the object itself, so an id is never reused while its entry stands.
An amendment makes a new event object for each prefix that reads it: such events simply miss.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar, cast

from isotrack.domain.timeline import Timeline
from isotrack.knowledge import Knowledge

T = TypeVar("T")

_SHARED = "course_prefix.shared"
# A store this size holds every per-event answer of the longest courses audited (a few
# hundred results and series); past it, the store starts again rather than grow.
_SHARED_LIMIT = 20_000


def _shared(timeline: Timeline) -> dict[Hashable, tuple[Any, Knowledge, Any]]:
    return timeline.derived(_SHARED, dict)


def course_prefix(timeline: Timeline, end: int) -> Timeline:
    """The course as recorded before event ``end`` (its first ``end`` events), sharing the
    whole course's per-event answers."""
    prefix = timeline.model_copy(update={"events": timeline.events[:end]})
    shared = _shared(timeline)
    prefix.derived(_SHARED, lambda: shared)
    return prefix


def per_event(
    timeline: Timeline,
    knowledge: Knowledge,
    name: str,
    subject: object,
    build: Callable[[], T],
    extra: Hashable = None,
) -> T:
    """What ``build()`` makes of ``subject`` (an event, a reading, a tuple of readings) with
    ``knowledge`` and ``extra``: computed once for the course and every prefix of it.

    ``build`` must depend on nothing but ``subject``, ``knowledge`` and ``extra`` (hashable
    values, such as a date); the entry keeps ``subject`` (and a tuple's members) alive, so no
    id in its key is reused while the entry stands.
    """
    store = _shared(timeline)
    key = (name, _identity(subject), id(knowledge), extra)
    found = store.get(key)
    if found is None or not _same(found[0], subject) or found[1] is not knowledge:
        if len(store) >= _SHARED_LIMIT:
            store.clear()
        found = store[key] = (subject, knowledge, build())
    return cast(T, found[2])


def _identity(subject: object) -> Hashable:
    """A tuple (a series of readings) is named by the ids of its members, anything else by its
    own id: a series cut again from the same readings is the same series."""
    if type(subject) is tuple:
        return tuple(map(id, subject))
    return id(subject)


def _same(kept: object, subject: object) -> bool:
    if type(subject) is tuple and type(kept) is tuple:
        return len(kept) == len(subject) and all(a is b for a, b in zip(kept, subject, strict=True))
    return kept is subject
