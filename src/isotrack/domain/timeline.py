"""The course timeline: a patient, a policy and an append-only list of events.

``load_timeline`` turns JSON into a :class:`Timeline` or raises :class:`IsotrackInputError`
naming the event id, field, value and what is allowed. ``effective_events`` applies voids and
amendments, which is the view every engine reads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any, Literal, Self, TypeVar, cast

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from isotrack.domain.errors import FieldProblem, IsotrackInputError
from isotrack.domain.events import (
    EVENT_TYPES,
    READING_RECORD,
    Event,
    EventAmended,
    EventBase,
    EventVoided,
)
from isotrack.domain.json_input import read_json

TIMELINE_SCHEMA: Literal["isotrack.timeline/1"] = "isotrack.timeline/1"

E = TypeVar("E", bound=EventBase)
T = TypeVar("T")

# Where a timeline keeps the views computed from its events (see ``Timeline.derived``).
_MEMO_KEY = "_isotrack_derived"
_MEMO_LIMIT = 64


class Patient(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1, max_length=100)
    birth_date: dt.date
    sex_at_birth: Literal["female", "male", "intersex", "unknown"]
    can_get_pregnant: StrictBool

    def age_years_on(self, day: dt.date) -> int:
        """Completed years of age on ``day``."""
        return completed_years(self.birth_date, day)


def completed_years(birth_date: dt.date, day: dt.date) -> int:
    """Completed years of age on ``day`` for someone born on ``birth_date``."""
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - int(before_birthday)


class Timeline(BaseModel):
    """A whole course. Events keep the order in which they were recorded."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    schema_: Literal["isotrack.timeline/1"] = Field(default=TIMELINE_SCHEMA, alias="schema")
    patient: Patient
    policy: str = Field(min_length=1)
    events: list[Event] = Field(default_factory=list)

    @model_validator(mode="after")
    def _references(self) -> Self:
        events = self.events
        # Most courses carry no corrections and no repeated id: one pass over the ids says so.
        if len({event.id for event in events}) == len(events) and not any(
            type(event) in _CORRECTIONS for event in events
        ):
            return self
        seen: dict[str, EventBase] = {}
        for event in events:
            if event.id in seen:
                raise ValueError(f"event id {event.id!r} is used twice; ids must be unique")
            if isinstance(event, (EventVoided, EventAmended)):
                target = seen.get(event.target_id)
                if target is None:
                    raise ValueError(
                        f"event {event.id!r}: target_id {event.target_id!r} must name an "
                        "earlier event of this course"
                    )
                if isinstance(event, EventAmended):
                    _apply_amendment(target, event)
            seen[event.id] = event
        return self

    def derived(self, key: Hashable, build: Callable[[], T]) -> T:
        """The view of this timeline stored under ``key``, built by ``build()`` on first use.

        A timeline is frozen, so what is computed from its events (the effective events, a
        course snapshot per day) can be computed once and read by every engine. The store is
        dropped when the events are replaced (``model_copy(update=...)``); it is not part of the
        timeline's fields, so equality and serialisation ignore it.
        """
        holder = self.__dict__.get(_MEMO_KEY)
        if holder is None or holder[0] is not self.events or holder[1] != len(self.events):
            holder = (self.events, len(self.events), {})
            self.__dict__[_MEMO_KEY] = holder
        memo: dict[Hashable, Any] = holder[2]
        try:
            return cast(T, memo[key])
        except KeyError:
            if len(memo) >= _MEMO_LIMIT:  # a timeline replayed day by day: keep memory bounded
                memo.clear()
            value = memo[key] = build()
            return value

    def to_json_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)

    def with_event(self, event: EventBase) -> Timeline:
        """A new timeline with ``event`` appended (validated like any loaded timeline)."""
        data = self.to_json_dict()
        data["events"].append(event.model_dump(mode="json", exclude_none=True))
        return load_timeline(data)


_EVENT_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)
_CORRECTIONS = (EventVoided, EventAmended)


def parse_event(data: Mapping[str, Any]) -> EventBase:
    """Validate one event's JSON; errors name its id, the field, the value and what is allowed."""
    try:
        return _EVENT_ADAPTER.validate_python(dict(data))
    except ValidationError as exc:
        raise IsotrackInputError(
            _problems_from(exc, {"events": [data]}, prefix=("events", 0)), "invalid event"
        ) from None


def _apply_amendment(target: EventBase, amend: EventAmended) -> EventBase:
    merged = {**target.model_dump(mode="json", exclude_none=True), **amend.changes}
    try:
        return _EVENT_ADAPTER.validate_python(merged, context={READING_RECORD: True})
    except ValidationError as exc:
        details = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'][1:])}: {err['msg']}" for err in exc.errors()
        )
        raise ValueError(
            f"event {amend.id!r}: amending {target.id!r} would make it invalid ({details})"
        ) from None


def _describe_allowed(error: Mapping[str, Any]) -> str:
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind == "union_tag_invalid" or kind == "union_tag_not_found":
        return "one of: " + ", ".join(EVENT_TYPES)
    if kind == "extra_forbidden":
        return "no such field in this event type (check the spelling)"
    if kind == "missing":
        return "a value (this field is required)"
    bounds = {"gt": "greater than", "ge": "at least", "lt": "less than", "le": "at most"}
    limits = [f"{word} {ctx[key]}" for key, word in bounds.items() if key in ctx]
    if limits:
        return "a number " + " and ".join(limits)
    if "expected" in ctx:
        return f"one of {ctx['expected']}"
    return str(error.get("msg", "a valid value"))


def _problems_from(
    exc: ValidationError, raw: Any, prefix: tuple[str | int, ...] = ()
) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    for error in exc.errors():
        loc: tuple[Any, ...] = tuple(error["loc"])
        if prefix and loc[: len(prefix)] != prefix:
            loc = prefix + loc
        location = "timeline"
        field_name = ".".join(str(p) for p in loc) or "(root)"
        if len(loc) >= 2 and loc[0] == "events" and isinstance(loc[1], int):
            index = loc[1]
            events = raw.get("events") if isinstance(raw, Mapping) else None
            event_raw = events[index] if isinstance(events, list) and index < len(events) else {}
            event_id = event_raw.get("id", "?") if isinstance(event_raw, Mapping) else "?"
            event_type = event_raw.get("type") if isinstance(event_raw, Mapping) else None
            rest = [str(p) for p in loc[2:]]
            if rest and rest[0] == event_type:  # pydantic names the union member first
                rest = rest[1:]
            location = f"event {event_id!r}"
            field_name = ".".join(rest) or "(event)"
        value = None if error["type"] == "missing" else error.get("input")
        allowed = _describe_allowed(error)
        if error["type"] in ("union_tag_invalid", "union_tag_not_found"):
            field_name = "type"
            value = value.get("type") if isinstance(value, Mapping) else value
        elif error["type"] == "value_error":
            message = str(error["msg"]).removeprefix("Value error, ")
            named, _, explanation = message.partition(": ")
            if explanation and named.isidentifier() and isinstance(value, Mapping):
                field_name = ".".join(p for p in (field_name, named) if p != "(event)")
                value, allowed = value.get(named), explanation
            else:
                allowed = message
        if isinstance(value, Mapping):
            value = "{...}"
        problems.append(FieldProblem(location, field_name, value, allowed))
    return problems


def load_timeline(data: Mapping[str, Any] | str | bytes) -> Timeline:
    """Validate a timeline from JSON text or a parsed mapping.

    >>> t = load_timeline({"schema": "isotrack.timeline/1", "policy": "us-ipledge-2026",
    ...     "patient": {"id": "p1", "birth_date": "2000-01-01", "sex_at_birth": "male",
    ...                 "can_get_pregnant": False}, "events": []})
    >>> t.patient.id
    'p1'
    """
    if isinstance(data, (str, bytes)):
        data = read_json(data, document="timeline")
    if not isinstance(data, Mapping):
        raise IsotrackInputError(
            [FieldProblem("timeline", "(root)", type(data).__name__, "a JSON object")],
            "invalid timeline",
        )
    try:
        return Timeline.model_validate(data, context={READING_RECORD: True})
    except ValidationError as exc:
        raise IsotrackInputError(_problems_from(exc, data), "invalid timeline") from None


def effective_events(timeline: Timeline) -> tuple[EventBase, ...]:
    """The events as they stand after voids and amendments, in date order.

    A void removes its target (a voided void restores it); an amendment replaces its target's
    fields. Void and amend events themselves are not returned. Ties on date keep recording order.
    Worked out once per timeline: every engine reads the same tuple.
    """
    return timeline.derived("effective_events", lambda: _resolve_corrections(timeline.events))


def recorded_before(timeline: Timeline, end: int) -> Timeline:
    """The course as recorded before its event number ``end`` (its first ``end`` events).

    A course with no void and no amendment has as effective events its events sorted by date,
    ties in recording order; those of a prefix are the course's less the events recorded from
    ``end`` on (a stable sort of a part keeps the order of the whole), so they are taken from
    the course's rather than sorted again. A corrected course's prefixes resolve their own.
    """
    prefix = timeline.model_copy(update={"events": timeline.events[:end]})
    ranks = timeline.derived("recording ranks", lambda: _recording_ranks(timeline))
    if ranks is not None:
        kept = tuple(e for e, rank in zip(effective_events(timeline), ranks, strict=True)
                     if rank < end)  # fmt: skip
        prefix.derived("effective_events", lambda: kept)
    return prefix


def _recording_ranks(timeline: Timeline) -> list[int] | None:
    """Where each effective event stands in the recording order (None: a corrected course)."""
    if any(type(event) in _CORRECTIONS for event in timeline.events):
        return None
    order = {id(event): index for index, event in enumerate(timeline.events)}
    return [order[id(event)] for event in effective_events(timeline)]


def _resolve_corrections(events: Sequence[EventBase]) -> tuple[EventBase, ...]:
    voids_of: dict[str, list[str]] = {}
    amended = False
    for event in events:
        if isinstance(event, EventVoided):
            voids_of.setdefault(event.target_id, []).append(event.id)
        elif isinstance(event, EventAmended):
            amended = True
    if not voids_of and not amended:  # most courses: nothing corrected, nothing to resolve
        return tuple(sorted(events, key=_chronological))
    by_id = {e.id: e for e in events}
    voided_cache: dict[str, bool] = {}

    def is_voided(event_id: str) -> bool:
        # A void always targets an earlier event, so this recursion ends.
        if event_id not in voided_cache:
            voided_cache[event_id] = any(
                not is_voided(void_id) for void_id in voids_of.get(event_id, ())
            )
        return voided_cache[event_id]

    current: dict[str, EventBase] = {}
    for event in events:
        if isinstance(event, EventAmended):
            if not is_voided(event.id) and event.target_id in current:
                current[event.target_id] = _apply_amendment(current[event.target_id], event)
        elif not isinstance(event, EventVoided):
            current[event.id] = event
    # ``current`` keeps each event where it was first recorded, and the sort is stable, so
    # events of the same day and time stay in recording order.
    kept = [e for e in current.values() if not is_voided(e.id) and e.id in by_id]
    return tuple(sorted(kept, key=_chronological))


_MIDNIGHT = dt.time(0)


def _chronological(event: EventBase) -> tuple[dt.date, dt.time]:
    return (event.date, event.time or _MIDNIGHT)


def events_of(events: Sequence[EventBase], kind: type[E]) -> list[E]:
    """The events of one type, in the order given.

    Every engine asks a course's event tuple for several types, and a six-month course has
    dozens of events: a tuple is grouped by event class once and each leaf class read from the
    groups (events of a class keep their order). A list, or a class with subclasses, is scanned.
    """
    if type(events) is tuple and not kind.__subclasses__():
        return cast(list[E], list(_grouped(events).get(kind, ())))
    return [e for e in events if isinstance(e, kind)]


# What was worked out from the event tuples read most recently (their groups by class, their
# treatment period on a day). A tuple of frozen events cannot change, and its entry keeps it
# alive, so its id cannot be reused while the entry stands; the table is emptied when full.
_OF_EVENTS: dict[int, tuple[tuple[EventBase, ...], dict[Hashable, Any]]] = {}
_OF_EVENTS_LIMIT = 256


def derived_of_events(events: tuple[EventBase, ...], key: Hashable, build: Callable[[], T]) -> T:
    """What ``build()`` makes of an event tuple, kept under ``key`` while the tuple is recent.

    For a view several engines compute from the same tuple (a course's effective events) when
    they hold the tuple rather than the timeline.
    """
    found = _OF_EVENTS.get(id(events))
    if found is None or found[0] is not events:
        if len(_OF_EVENTS) >= _OF_EVENTS_LIMIT:
            _OF_EVENTS.clear()
        found = _OF_EVENTS[id(events)] = (events, {})
    memo = found[1]
    try:
        return cast(T, memo[key])
    except KeyError:
        value = memo[key] = build()
        return value


def _grouped(events: tuple[EventBase, ...]) -> dict[type[EventBase], list[EventBase]]:
    def build() -> dict[type[EventBase], list[EventBase]]:
        grouped: dict[type[EventBase], list[EventBase]] = {}
        for event in events:
            grouped.setdefault(type(event), []).append(event)
        return grouped

    return derived_of_events(events, "groups by class", build)


def timeline_json_schema() -> dict[str, Any]:
    """JSON Schema of the ``isotrack.timeline/1`` contract."""
    schema = Timeline.model_json_schema(by_alias=True)
    schema["$id"] = "https://isotrack.invalid/schema/isotrack.timeline/1"
    schema["title"] = "isotrack course timeline, version 1"
    return schema
