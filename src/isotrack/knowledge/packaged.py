"""The knowledge base shipped with isotrack, loaded once per process.

Kept apart from the loader so that the modules registering extra sections may import the
loader's ``Knowledge`` type without the loader importing them back (no import cycle).
"""

from __future__ import annotations

from functools import lru_cache

import isotrack.knowledge.registry  # noqa: F401  (registers every extra section and check)
from isotrack.knowledge.clinic_overlay import ClinicOverlay
from isotrack.knowledge.loader import Knowledge, parse_knowledge, read_data_files


@lru_cache(maxsize=1)
def load_knowledge() -> Knowledge:
    """The packaged knowledge base, validated once per process, or once per change of the
    knowledge files, their code or the libraries under it (``cache``: issue 12)."""
    from isotrack.knowledge.cache import load_validated

    files = _packaged_files()
    return load_validated(files, lambda: parse_knowledge(files))


@lru_cache(maxsize=1)
def _packaged_files() -> dict[str, str]:
    return read_data_files()


def clinic_knowledge(overlay: ClinicOverlay) -> Knowledge:
    """The packaged knowledge base with a clinic's settings laid over its policies, validated
    like the packaged one (the base itself when there is nothing to lay over)."""
    if overlay.empty:
        return load_knowledge()
    return parse_knowledge(_packaged_files(), overlay)
