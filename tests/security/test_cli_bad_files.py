"""A broken or hostile timeline file gives one clear line and exit 2, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ISOTRACK = Path(sys.executable).with_name("isotrack")

BAD_FILES = {
    "non-utf8": b'{"schema": "isotrack.timeline/1", "note": "\xff\xfe"}',
    "deep": b"[" * 100_000 + b"]" * 100_000,
    "nan": b'{"schema": "isotrack.timeline/1", "events": [{"weight_kg": NaN}]}',
    "duplicate": b'{"schema": "a", "schema": "b"}',
}


EVALUATE = ["evaluate", "--as-of", "2024-01-01"]
CHECK_DISPENSE = ["check-dispense", "--on", "2024-01-01"]


@pytest.mark.parametrize(
    ("kind", "command"),
    [
        ("non-utf8", EVALUATE),
        ("deep", EVALUATE),
        ("deep", CHECK_DISPENSE),
        ("nan", CHECK_DISPENSE),
        ("duplicate", EVALUATE),
    ],
)
def test_bad_timeline_file_is_one_line_and_exit_2(
    tmp_path: Path, kind: str, command: list[str]
) -> None:
    path = tmp_path / f"{kind}.json"
    path.write_bytes(BAD_FILES[kind])
    result = subprocess.run(
        [str(ISOTRACK), command[0], str(path), *command[1:]],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: invalid timeline")
