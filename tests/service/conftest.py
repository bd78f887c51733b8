"""Fixtures of the service tests live in ``service_clinic``; importing them registers them."""

import os

# Real argon2id parameters cost seconds per hash on a busy two-core runner; the tests check
# the sign-in rules, not the hash strength, so they use argon2-cffi's cheapest profile.
os.environ.setdefault("ISOTRACK_PASSWORD_HASH_PROFILE", "CHEAPEST")

from service_clinic import (  # noqa: F401
    client,
    clinic,
    database,
    database_url,
    postgres_available,
    service,
    settings,
)

# The chain key of every test store lives in one temporary file, never in the working tree.
if "ISOTRACK_CHAIN_KEY_FILE" not in os.environ:
    import tempfile

    os.environ["ISOTRACK_CHAIN_KEY_FILE"] = os.path.join(tempfile.mkdtemp(), "chain-key")
