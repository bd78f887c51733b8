"""The store as a population-audit source: every course's timeline JSON with the time each
event was recorded, streamed in batches (the audit package never sees the store).

Events stored in the same instant as the course's first event were imported with it (decision
36): their recording time says when isotrack received them, so they carry none here.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from isotrack.knowledge import load_knowledge
from isotrack.service.programme_overlay import overlay_of, settings_over_time
from isotrack.store.audit_scan import count_courses, stream_courses
from isotrack.store.clinic_settings import current_settings, setting_history
from isotrack.store.course_records import StoredCourse
from isotrack.store.database import Database

# The top-level member the audit reads recording times from (isotrack.audit.batch).
RECORDED_AT = "recorded_at"


def audit_line(course: StoredCourse) -> str:
    """The course as timeline JSON plus ``recorded_at``: {event id: ISO time} of the events
    recorded after the course was first stored."""
    text = course.timeline_json()
    imported_at = course.events[0].recorded_at if course.events else None
    stamps = {e.event_id: e.recorded_at for e in course.events if e.recorded_at != imported_at}
    return f'{text[:-1]},"{RECORDED_AT}":{json.dumps(stamps, separators=(",", ":"))}}}'


class StoreTimelines:
    """Satisfies the audit's ``TimelineSource``: batches of course lines; no native scan (the
    runners check each batch), so DuckDB and Spark read the same lines."""

    recording_times = True

    def __init__(
        self,
        database: Database,
        description: str,
        on_read: Callable[[list[StoredCourse]], None] | None = None,
    ) -> None:
        self.database = database
        self.description = description
        # Told of each page of courses read (the accounting of disclosures of a run).
        self.on_read = on_read
        # The clinic's programme settings, now and as they stood at each change: each fill was
        # decided with those in force then, so the audit judges it with them too (it lays them
        # over the knowledge base in each worker).
        with database.reading() as connection:
            stored = current_settings(connection)
            history = setting_history(connection, limit=None)
        packaged = load_knowledge()
        self.overlay = overlay_of(packaged, stored)
        self.settings_history = settings_over_time(packaged, history)

    def batches(self, size: int) -> Iterator[list[str]]:
        for page in stream_courses(self.database, size):
            if self.on_read is not None:
                self.on_read(page)
            yield [audit_line(course) for course in page]

    def count(self) -> int | None:
        return count_courses(self.database)

    def duckdb_relation(self, con: Any) -> Any | None:
        return None

    def spark_frame(self, spark: Any) -> Any | None:
        return None
