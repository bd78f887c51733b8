"""The CDS Hooks benchmark (issue 13): order-sign with prefetch, against ``isotrack serve
--workers 2`` on a free loopback port, with a course imported from a FHIR bundle.

1. closed loop: 16 connections on order-sign for ``--seconds``, then on ``/healthz`` in the
   same server run (the same load generator), repeated; the ratio of the two;
2. latency at a fixed 500 requests/s (open loop, latency counted from each request's
   scheduled time): p50 and p99;
3. the EHR's FHIR server hangs and prefetch is missing: 30 sequential calls; their p99 and
   maximum (the service gives up fetching after its budget and answers with a card).

Each request carries its own JWT (ES384, or RS384 with ``--alg``) signed in advance (the
service refuses a replayed ``jti``). The 500/s run is skipped when the closed loop shows less
capacity than that, unless ``--open-loop-seconds`` asks for it. Results go to
``bench/results/cds-<alg>.json``; each figure carries the load average before it.

    .venv/bin/python bench/cds.py                      # ES384: 3 x 15 s closed loop, 20 s at 500/s
    .venv/bin/python bench/cds.py --alg RS384 --quick
    .venv/bin/python bench/cds.py --open-loop-seconds 60 --runs 1
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
sys.path.insert(0, str(REPO / "tests" / "cds"))
sys.path.insert(0, str(REPO / "tests"))

from cds_load import closed_loop, http_request, open_loop  # noqa: E402
from cds_support import (  # noqa: E402
    SigningClient,
    fhir_server,
    free_port,
    hang,
    imported_from_fhir,
    medication_order,
    order_sign,
    serving,
)
from machine import describe_machine, load_average  # noqa: E402

from isotrack.service.cds import register_client  # noqa: E402
from isotrack.store.database import open_database, upgrade_schema  # noqa: E402

SERVICE_PATH = "/cds-services/isotrack-order-sign"


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def start_server(database_url: str, workdir: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    env = os.environ | {"ISOTRACK_DATABASE_URL": database_url,
                        "ISOTRACK_SECRET_KEY": "bench-secret-key-not-for-production"}  # fmt: skip
    command = [str(Path(sys.executable).with_name("isotrack")), "serve", "--workers", "2",
               "--host", "127.0.0.1", "--port", str(port)]  # fmt: skip
    log = (workdir / "serve.log").open("w")
    process = subprocess.Popen(command, cwd=workdir, env=env, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return process, port
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise RuntimeError("server did not start")


def signed_requests(ehr: SigningClient, port: int, count: int, body: dict[str, Any]) -> list[bytes]:
    audience = f"http://127.0.0.1:{port}{SERVICE_PATH}"
    payload = json.dumps(body).encode()
    return [
        http_request(port, "POST", SERVICE_PATH, payload, _bearer(ehr, audience))
        for _ in range(count)
    ]


def _bearer(ehr: SigningClient, audience: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {ehr.token(audience)}"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--alg", choices=("ES384", "RS384"), default="ES384")
    parser.add_argument(
        "--open-loop-seconds", type=int, default=0,
        help="run the 500/s open loop this long, whatever the capacity",
    )  # fmt: skip
    args = parser.parse_args()
    seconds = 5 if args.quick else args.seconds
    runs = 1 if args.quick else args.runs
    rate_seconds = args.open_loop_seconds or (5 if args.quick else 20)
    workdir = Path(tempfile.mkdtemp(prefix="isotrack-cds-bench-"))
    database_url = f"sqlite:///{workdir / 'clinic.sqlite'}"
    database = open_database(database_url)
    upgrade_schema(database)
    imported_from_fhir(database, "demo-02")
    ehr = SigningClient.es384() if args.alg == "ES384" else SigningClient.rs384()
    register_client(database, ehr.issuer, jwks_text=json.dumps(ehr.jwks()), jwks_url=None,
                    fhir_server_hosts=["127.0.0.1"])  # fmt: skip
    database.dispose()
    body = order_sign("demo-02", [medication_order(30)])
    server, port = start_server(database_url, workdir)
    result: dict[str, Any] = {"machine": describe_machine(), "alg": args.alg, "runs": []}
    try:
        health = http_request(port, "GET", "/healthz")
        # Warm-up, not measured: each worker's first calls read the course and check the order.
        closed_loop(port, iter(signed_requests(ehr, port, 200, body)), 16, 60)
        for run in range(runs):
            load = load_average()
            requests = signed_requests(ehr, port, 400 * seconds, body)
            cds = closed_loop(port, iter(requests), 16, seconds)
            healthz = closed_loop(port, iter([health] * 4000 * seconds), 16, seconds)
            ratio = cds.per_second / healthz.per_second
            _log(f"run {run + 1}: order-sign {cds.per_second:.0f}/s (p99 {cds.percentile(0.99):.1f}"
                 f" ms, errors {cds.errors}), /healthz {healthz.per_second:.0f}/s, ratio "
                 f"{ratio:.2f}, load {load[0]:.1f}")  # fmt: skip
            result["runs"].append({
                "order_sign_per_s": cds.per_second, "healthz_per_s": healthz.per_second,
                "ratio": ratio, "order_sign_p50_ms": cds.percentile(0.5),
                "order_sign_p99_ms": cds.percentile(0.99),
                "errors": cds.errors + healthz.errors, "load_before": load,
            })  # fmt: skip
        capacity = max(r["order_sign_per_s"] for r in result["runs"])
        if capacity >= 500 or args.open_loop_seconds:
            requests = signed_requests(ehr, port, 500 * rate_seconds, body)
            load = load_average()
            fixed = open_loop(port, requests, 500.0)
            result["fixed_rate"] = {
                "rate_per_s": 500, "seconds": rate_seconds, "achieved_per_s": fixed.per_second,
                "errors": fixed.errors, "p50_ms": fixed.percentile(0.5),
                "p95_ms": fixed.percentile(0.95), "p99_ms": fixed.percentile(0.99),
                "load_before": load,
            }  # fmt: skip
            _log(
                f"500/s for {rate_seconds} s: p50 {fixed.percentile(0.5):.1f} ms, p95 "
                f"{fixed.percentile(0.95):.1f} ms, p99 {fixed.percentile(0.99):.1f} ms, "
                f"errors {fixed.errors}, {fixed.per_second:.0f}/s done, load {load[0]:.1f}"
            )
        else:
            # An open loop above the closed-loop capacity only measures a growing queue.
            result["fixed_rate"] = {"rate_per_s": 500, "skipped": f"capacity {capacity:.0f}/s"}
            _log(f"500/s not attempted: closed-loop capacity is {capacity:.0f}/s")
        with serving(fhir_server({"/fhir/Patient/demo-02": hang,
                                  "/fhir/MedicationRequest": hang})) as fhir_base:  # fmt: skip
            hung = order_sign("demo-02", [medication_order(30)], prefetch=None,
                              fhirServer=f"{fhir_base}/fhir")  # fmt: skip
            load = load_average()
            slow = closed_loop(port, iter(signed_requests(ehr, port, 30, hung)), 1, 120)
        result["hanging_fhir_server"] = {"calls": slow.requests, "errors": slow.errors,
                                         "p99_ms": slow.percentile(0.99),
                                         "max_ms": max(slow.latencies_ms),
                                         "load_before": load}  # fmt: skip
        _log(
            f"hanging FHIR server: p99 {slow.percentile(0.99):.0f} ms, max "
            f"{max(slow.latencies_ms):.0f} ms, errors {slow.errors}, load {load[0]:.1f}"
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    out = BENCH_DIR / "results" / f"cds-{args.alg.lower()}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    _log(f"written {out}")


if __name__ == "__main__":
    main()
