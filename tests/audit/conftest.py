"""Fixtures of the audit suite (helpers live in ``audit_cases``)."""

from __future__ import annotations

import pytest

from isotrack.knowledge import Knowledge, load_knowledge


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
    return load_knowledge()
