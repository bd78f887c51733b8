"""A course as it stood before one of its events, sharing with the whole course what an event
alone decides.

The audit judges each dispense on the record as it stood before it (decision 34): a prefix of
the events in recording order, a timeline of its own. Most of what the engines work out from a
prefix depends on the prefix as a whole (its effective events, its snapshot, its decision), but
some of it depends on one event (or one series of events) alone: how a lab result reads, the
grade band it reaches, a stop-rule series, a PHQ-9's alerts, a pregnancy test's verdict, the
contraception cover before a test. :func:`course_prefix` cuts a prefix that shares one
store with the whole course, so that every prefix reads such a per-event answer computed once;
:func:`per_event` reads or fills that store. A timeline that is no prefix has a store of its own,
so an engine asked about one course alone works out each answer once, as before.

The store is keyed by the object (an event, a lab reading, a series of readings), the knowledge
base and any other input the answer reads, and holds the object and the knowledge base, so an
id is never reused while its entry stands (decision 58). An amendment makes a new event object
for each prefix that reads it: such events simply miss, and are worked out again.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar, cast

from isotrack.domain.timeline import Timeline, recorded_before
from isotrack.knowledge import Knowledge

T = TypeVar("T")

_SHARED = "course_prefix.shared"
# A store this size holds every per-event answer of the longest courses audited (a few
# hundred results and series); past it, the store starts again rather than grow.
_SHARED_LIMIT = 20_000


Answers = dict[Hashable, tuple[object, Knowledge, Any]]


def shared_answers(timeline: Timeline) -> Answers:
    """The per-event answers of ``timeline``'s course (the same store for every prefix cut by
    :func:`course_prefix`). An engine reading many events fetches it once."""
    return timeline.derived(_SHARED, dict)


def course_prefix(timeline: Timeline, end: int) -> Timeline:
    """The course as recorded before event ``end`` (its first ``end`` events), sharing the
    whole course's per-event answers."""
    prefix = recorded_before(timeline, end)
    shared = shared_answers(timeline)
    prefix.derived(_SHARED, lambda: shared)
    return prefix


def per_event(
    answers: Answers,
    knowledge: Knowledge,
    name: str,
    subject: object,
    build: Callable[[], T],
    extra: Hashable = None,
) -> T:
    """What ``build()`` makes of ``subject`` (an event, a reading, a tuple of readings) with
    ``knowledge`` and ``extra``: computed once for the course and every prefix of it.

    ``build`` must depend on nothing but ``subject``, ``knowledge`` and ``extra`` (hashable
    values, such as a date). The key names ``subject`` by its id (a tuple by its members' ids,
    so a series cut again from the same readings is the same series) and the entry keeps
    ``subject`` and ``knowledge`` alive: no id in a key can be reused while its entry stands.
    """
    identity = tuple(map(id, subject)) if type(subject) is tuple else id(subject)
    key = (name, identity, id(knowledge), extra)
    found = answers.get(key)
    if found is None:
        if len(answers) >= _SHARED_LIMIT:
            answers.clear()
        found = answers[key] = (subject, knowledge, build())
    return cast(T, found[2])
