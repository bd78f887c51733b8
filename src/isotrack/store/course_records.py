"""What the course store holds and hands out: a course's header, its stored events, the
course as read, and the two ways an append or a read can fail."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from isotrack.domain.events import READING_RECORD
from isotrack.domain.timeline import TIMELINE_SCHEMA, Patient, Timeline
from isotrack.store.chain import canonical_json


class VersionConflict(Exception):
    """The course changed since the writer read it; nothing was written."""

    def __init__(
        self, course_id: str, expected: int | None, current: int, *, lost_race: bool = False
    ) -> None:
        self.course_id = course_id
        self.expected = expected
        self.current = current
        # True when the version matched on reading but another writer inserted first.
        self.lost_race = lost_race
        super().__init__(
            f"course {course_id!r} is at version {current}, the append expected {expected}"
        )


class NotFound(LookupError):
    """No such patient or course."""


@dataclass(frozen=True)
class CourseHeader:
    id: str
    patient_id: str
    policy: str
    birth_date: dt.date
    sex_at_birth: str
    can_get_pregnant: bool
    created_at: str
    created_by: str
    genesis_hash: str
    prescriber_user_id: str | None = None

    def patient(self) -> Patient:
        return Patient(
            id=self.patient_id,
            birth_date=self.birth_date,
            sex_at_birth=self.sex_at_birth,
            can_get_pregnant=self.can_get_pregnant,
        )

    def genesis_fields(self) -> dict[str, Any]:
        return {
            "course_id": self.id,
            "patient_id": self.patient_id,
            "policy": self.policy,
            "birth_date": self.birth_date.isoformat(),
            "sex_at_birth": self.sex_at_birth,
            "can_get_pregnant": self.can_get_pregnant,
            "created_at": self.created_at,
            "created_by": self.created_by,
        }


@dataclass(frozen=True)
class StoredEvent:
    seq: int
    event_id: str
    type: str
    body: str
    recorded_by: str
    recorded_at: str
    hash: str

    def as_json(self) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(self.body)
        return parsed


@dataclass(frozen=True)
class StoredCourse:
    """A course as read from the store: its header and its events in recording order."""

    header: CourseHeader
    events: tuple[StoredEvent, ...]

    @property
    def version(self) -> int:
        return len(self.events)

    @property
    def etag(self) -> str:
        return course_etag(self.header.id, self.version)

    def timeline_json(self) -> str:
        """The course in the ``isotrack.timeline/1`` format, as JSON text."""
        patient = canonical_json(self.header.patient().model_dump(mode="json"))
        return (
            f'{{"schema":"{TIMELINE_SCHEMA}","patient":{patient},'
            f'"policy":{json.dumps(self.header.policy)},'
            f'"events":[{",".join(e.body for e in self.events)}]}}'
        )

    def timeline(self) -> Timeline:
        # A stored course is a record being read: a result in a unit isotrack cannot read
        # stays on record as a warning instead of making the whole course unreadable.
        return Timeline.model_validate_json(self.timeline_json(), context={READING_RECORD: True})


def course_etag(course_id: str, version: int) -> str:
    """The HTTP entity tag of a course at a version: changes with every append."""
    return f'"{course_id}.v{version}"'
