"""Where an order-sign call spends its time: the real app, in process, under cProfile.

The same store as ``bench/cds.py`` (Maya's course imported from a FHIR bundle, an EHR
registered with its JWKS); the ASGI app is called directly (no socket, no load generator), after
a warm-up, with a fresh signed JWT per call, so the profile shows only the service's own work.

    .venv/bin/python bench/cds_profile.py                 # ES384, 2 000 calls, top 30 by own time
    .venv/bin/python bench/cds_profile.py --alg RS384 --calls 500 --sort cumulative
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import pstats
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR.parent / "tests" / "cds"))
sys.path.insert(0, str(BENCH_DIR.parent / "tests"))

from cds_support import SigningClient, imported_from_fhir, medication_order, order_sign  # noqa: E402

from isotrack.server import create_app  # noqa: E402
from isotrack.service.cds import register_client  # noqa: E402
from isotrack.service.settings import Settings  # noqa: E402
from isotrack.store.database import open_database, upgrade_schema  # noqa: E402

PATH = "/cds-services/isotrack-order-sign"
HOST = "isotrack.bench"


async def _call(app: Any, body: bytes, token: str) -> int:
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": PATH, "raw_path": PATH.encode(), "query_string": b"",
        "root_path": "", "server": (HOST, 80), "client": ("127.0.0.1", 50000),
        "headers": [(b"host", HOST.encode()), (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"authorization", f"Bearer {token}".encode())],
    }  # fmt: skip
    sent = False
    status = 0

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            await asyncio.sleep(3600)
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = int(message["status"])

    await app(scope, receive, send)
    return status


async def _run(app: Any, body: bytes, tokens: list[str], in_flight: int = 16) -> list[int]:
    """Every token used once, ``in_flight`` calls at a time (as a loaded worker sees them)."""
    statuses: list[int] = []
    waiting = iter(tokens)

    async def caller() -> None:
        for token in waiting:
            statuses.append(await _call(app, body, token))

    await asyncio.gather(*(caller() for _ in range(in_flight)))
    return statuses


async def _lifespan(app: Any, calls: Any) -> Any:
    async with app.router.lifespan_context(app):
        await asyncio.sleep(1.0)  # the start-up warm-up (knowledge, TLS context) finishes
        return await calls()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--alg", choices=("ES384", "RS384"), default="ES384")
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--no-profile", action="store_true", help="CPU per call only")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="isotrack-cds-profile-"))
    url = f"sqlite:///{workdir / 'clinic.sqlite'}"
    database = open_database(url)
    upgrade_schema(database)
    imported_from_fhir(database, "demo-02")
    ehr = SigningClient.es384() if args.alg == "ES384" else SigningClient.rs384()
    register_client(database, ehr.issuer, jwks_text=json.dumps(ehr.jwks()), jwks_url=None)
    database.dispose()
    app = create_app(Settings(database_url=url, secret_key="bench-secret-key-not-for-production"))
    body = json.dumps(order_sign("demo-02", [medication_order(30)])).encode()
    audience = f"http://{HOST}{PATH}"
    warm = [ehr.token(audience) for _ in range(50)]
    tokens = [ehr.token(audience) for _ in range(args.calls)]
    profiler = cProfile.Profile()

    async def calls() -> tuple[list[int], float]:
        await _run(app, body, warm)
        began = time.process_time()
        if not args.no_profile:
            profiler.enable()
        statuses = await _run(app, body, tokens)
        profiler.disable()
        return statuses, time.process_time() - began

    statuses, cpu = asyncio.run(_lifespan(app, calls))
    bad = [s for s in statuses if s != 200]
    print(f"{args.alg}: {args.calls} calls, 16 in flight, {cpu / args.calls * 1000:.2f} ms of "
          f"CPU per call{'' if args.no_profile else ' under the profiler'}, {len(bad)} not "
          "200")  # fmt: skip
    if not args.no_profile:
        pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()
