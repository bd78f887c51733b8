"""Crash safety (issue 16): ``kill -9`` of the running service at a random moment under write
load loses no acknowledged write and leaves every chain and seal intact, on both databases.
Longer runs: ``bench/crash_trials.py``."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from crash_trial import run_trial


@pytest.mark.parametrize("trial", [1, 2])
def test_kill_9_under_load_loses_no_acknowledged_write(
    database_url: str, tmp_path: Path, trial: int
) -> None:
    result = run_trial(database_url, tmp_path, random.Random())
    assert result.acknowledged > 0, "the load never got a write acknowledged before the kill"
    assert result.missing == [], f"acknowledged but lost after kill -9: {result.missing[:5]}"
    assert result.verify_clean, result.verify_output
