"""The FHIR REST tests run the whole service on the service tests' clinic (SQLite and
PostgreSQL); its fixtures live in ``tests/service/service_clinic.py``."""

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("ISOTRACK_PASSWORD_HASH_PROFILE", "CHEAPEST")
if "ISOTRACK_CHAIN_KEY_FILE" not in os.environ:
    os.environ["ISOTRACK_CHAIN_KEY_FILE"] = os.path.join(tempfile.mkdtemp(), "chain-key")
sys.path.insert(0, str(Path(__file__).parent.parent / "service"))

from service_clinic import (  # noqa: F401
    client,
    clinic,
    database,
    database_url,
    postgres_available,
    settings,
)
