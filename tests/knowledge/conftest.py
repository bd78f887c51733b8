"""Shared fixtures: the knowledge files this suite owns, copied to a private directory.

The packaged data directory is shared with other engines' files that may be half-written; the
CLI tests read a copy of the bibliography, disagreements, myths and general facts instead, so a
failure here points at those files and at the ``facts`` command, nobody else's.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from isotrack.knowledge.loader import DATA_DIR

OWN_FILES = (
    "sources.toml",
    "disagreements.toml",
    "myths.toml",
    "pharmacokinetics.toml",
    "general.toml",
)


@pytest.fixture(scope="session")
def own_file_texts() -> dict[str, str]:
    """File name -> TOML text of this suite's knowledge files."""
    return {name: (DATA_DIR / name).read_text("utf-8") for name in OWN_FILES}


@pytest.fixture
def own_data_dir(tmp_path: Path) -> Path:
    """A directory holding only the knowledge files of this suite."""
    target = tmp_path / "knowledge"
    target.mkdir()
    for name in OWN_FILES:
        shutil.copy(DATA_DIR / name, target / name)
    return target
