"""Longer crash-safety runs: N ``kill -9`` trials of ``isotrack serve`` under write load.

    .venv/bin/python bench/crash_trials.py --trials 16 --database sqlite
    .venv/bin/python bench/crash_trials.py --trials 16 --database postgresql \\
        --postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/test

Each trial uses a fresh SQLite file or a fresh PostgreSQL schema (dropped afterwards) and
reports acknowledged writes, writes lost (must be 0) and whether verify was clean. The trial
itself is ``tests/service/crash_trial.py``, the one the test suite runs twice per database.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import sys
import tempfile
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests" / "service"), str(ROOT / "tests")]
os.environ.setdefault("ISOTRACK_PASSWORD_HASH_PROFILE", "CHEAPEST")

from crash_trial import run_trial  # noqa: E402


def _one(database: str, postgres_url: str, directory: Path, rng: random.Random) -> str:
    if database == "sqlite":
        result = run_trial(f"sqlite:///{directory / 'clinic.sqlite'}", directory, rng)
    else:
        schema = f"isotrack_crash_{secrets.token_hex(6)}"
        admin = create_engine(postgres_url)
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = make_url(postgres_url).update_query_dict({"options": f"-csearch_path={schema}"})
        try:
            result = run_trial(url.render_as_string(hide_password=False), directory, rng)
        finally:
            with admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()
    return (
        f"kill after {result.kill_after_seconds:.2f} s, {result.acknowledged} acknowledged, "
        f"{len(result.missing)} lost, verify {'clean' if result.verify_clean else 'BROKEN'}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=8)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument(
        "--postgres-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    failures = 0
    # One key file for the whole run: every trial's service and this process sign alike.
    key_directory = tempfile.mkdtemp(prefix="isotrack-crash-key-")
    os.environ.setdefault("ISOTRACK_CHAIN_KEY_FILE", os.path.join(key_directory, "chain-key"))
    for trial in range(1, args.trials + 1):
        with tempfile.TemporaryDirectory() as directory:
            line = _one(args.database, args.postgres_url, Path(directory), rng)
        failures += " 0 lost" not in line or "BROKEN" in line
        print(f"{args.database} trial {trial}: {line}", flush=True)
    print(f"{args.trials - failures}/{args.trials} trials without loss and with a clean verify")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
