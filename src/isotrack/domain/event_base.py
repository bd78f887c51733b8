"""The fields every timeline event carries (contract ``isotrack.timeline/1``)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

EVENT_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$"


class EventBase(BaseModel):
    """Fields every event carries. ``date`` is when it happened, not when it was typed in."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=EVENT_ID_PATTERN)
    date: dt.date
    time: dt.time | None = None
    recorded_by: str | None = None
    note: str | None = Field(default=None, max_length=4000)
