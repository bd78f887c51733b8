"""The hash chain over a course's events: canonical JSON, SHA-256, previous hash.

The chain starts at the course's genesis hash (over its fixed header) and each event's hash
covers the previous hash plus the canonical JSON of the event and who recorded it when. Changing,
removing or reordering any stored row breaks the chain from that point on.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any


def canonical_json(value: Any) -> str:
    """One spelling per value: sorted keys, no spaces, UTF-8 kept, no NaN or infinity."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def genesis_hash(header: dict[str, Any]) -> str:
    """The first link: the course id, its patient block, policy and creation."""
    return _sha256("isotrack.course/1\n" + canonical_json(header))


def event_hash(
    prev_hash: str,
    *,
    course_id: str,
    seq: int,
    body: dict[str, Any],
    recorded_by: str,
    recorded_at: str,
) -> str:
    """The link for one event, chained to ``prev_hash``."""
    envelope = {
        "course_id": course_id,
        "seq": seq,
        "event": body,
        "recorded_by": recorded_by,
        "recorded_at": recorded_at,
    }
    return _sha256(prev_hash + "\n" + canonical_json(envelope))
