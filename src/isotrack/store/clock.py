"""Wall-clock readings the store stamps on what it records (engines never read a clock)."""

from __future__ import annotations

import datetime as dt
import time


def utc_timestamp() -> str:
    """Now, as ISO 8601 UTC text with microseconds (the form that is hashed and stored)."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def epoch_seconds() -> int:
    return int(time.time())
