"""Render the measured figures of ``bench/results/*.json`` into ``docs/benchmarks.md``.

Only the part between the ``generated`` markers is rewritten; the analysis around it is
written by hand. ``--quick`` renders the quick-mode results instead of the full ones.

    .venv/bin/python bench/report.py
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
DOC = BENCH_DIR.parent / "docs" / "benchmarks.md"
START = "<!-- generated:start (bench/report.py rewrites this part) -->"
END = "<!-- generated:end -->"

# The targets of issue 5 (and performance anchors B1/B5), per backend where they differ.
THROUGHPUT_TARGET = 2000.0
RATIO_TARGET = 0.20
P99_TARGET_MS = 20.0
ACCESS_RATIO_TARGET = {"sqlite": 2.0, "postgres": 1.3}
NAMES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}


def _verdict(met: bool) -> str:
    return "**met**" if met else "**not met**"


def _at_least(value: float, target: float, shown: str) -> str:
    if value >= target:
        return f"{_verdict(True)} ({value / target:.2f}× the target)"
    short = f"{value / target:.3f}× the target ({target / value:.1f}× short)"
    return f"{_verdict(False)}: {shown} is {short}"


def _at_most(value: float, target: float, shown: str) -> str:
    if value <= target:
        return f"{_verdict(True)} ({target / value:.1f}× under the limit)"
    return f"{_verdict(False)}: {shown} is {value / target:.1f}× the limit"


def _spread(stats: dict[str, float], fmt: Callable[[float], str]) -> str:
    if stats["min"] == stats["max"]:
        return f"{fmt(stats['median'])} (one run)"
    return (
        f"{fmt(stats['median'])} (IQR {fmt(stats['q1'])}–{fmt(stats['q3'])}, "
        f"range {fmt(stats['min'])}–{fmt(stats['max'])})"
    )


def summary_rows(result: dict[str, Any]) -> list[str]:
    name = NAMES[result["backend"]]
    plan = result["plan"]
    rows: list[str] = []

    t = result["throughput"]
    rate = t["decisions_per_second"]["median"]
    ratio = t["ratio"]["median"]
    health = t["health_per_second"]["median"]
    rate_spread = _spread(t["decisions_per_second"], lambda v: f"{v:,.0f}")
    ratio_spread = _spread(t["ratio"], lambda v: f"{v:.3f}")
    rows.append(
        f"| {name} | B1 decisions/s (wrk -t1 -c32) | ≥ 2 000/s | {rate_spread} | "
        f"{_at_least(rate, THROUGHPUT_TARGET, f'{rate:,.0f}/s')} |"
    )
    rows.append(
        f"| {name} | B1 ratio to /healthz (same run) | ≥ 0.20× | {ratio_spread}× "
        f"(/healthz {health:,.0f}/s) | {_at_least(ratio, RATIO_TARGET, f'{ratio:.3f}×')} |"
    )

    lat = result["latency"]
    p99 = lat["p99_ms"]["median"]
    achieved = lat["achieved_rps"]["median"]
    offered = lat["runs"][0]["offered_rps"]
    held = achieved >= 0.95 * offered
    measured = (
        f"p99 {_spread(lat['p99_ms'], lambda v: f'{v:,.1f} ms')}, max {lat['max_ms']:,.0f} ms, "
        f"non-2xx {lat['errors']}"
    )
    if held and lat["errors"] == 0:
        verdict = _at_most(p99, P99_TARGET_MS, f"{p99:,.1f} ms")
    else:
        measured += f"; only {achieved:,.0f} of {offered} req/s served: the rate was not held"
        verdict = f"{_verdict(False)} (p99 {p99 / P99_TARGET_MS:.0f}× the limit, rate not held)"
    rows.append(
        f"| {name} | B1 latency at {offered} req/s for {plan['latency_seconds']} s | "
        f"p99 ≤ 20 ms, 0 errors | {measured} | {verdict} |"
    )

    s = result["storm"]
    storm_ok = s["errors"] == 0 and s["committed"] == s["requested"] == s["answered_2xx"]
    rows.append(
        f"| {name} | B1 storm: {s['requested']:,} decisions, {plan['storm_connections']} "
        f"connections | 0 errors, exactly {s['requested']:,} committed | "
        f"{s['answered_2xx']:,} answered 2xx, {s['committed']:,} committed, {s['errors']} errors, "
        f"{s['seconds']:,.0f} s ({s['decisions_per_second']:,.0f}/s) | {_verdict(storm_ok)} |"
    )

    a = result["access"]
    limit = ACCESS_RATIO_TARGET[result["backend"]]
    access_ratio = a["ratio"]
    rows.append(
        f"| {name} | B5 reads behind one decision, store vs raw driver | ≤ {limit}× | "
        f"store {a['store_median_us']:,.0f} µs, raw {a['raw_median_us']:,.0f} µs: "
        f"{access_ratio:.1f}× | {_at_most(access_ratio, limit, f'{access_ratio:.1f}×')} |"
    )
    return rows


def detail_section(result: dict[str, Any]) -> list[str]:
    name = NAMES[result["backend"]]
    plan = result["plan"]
    seed = result["seed"]
    lines = [
        f"### {name}",
        "",
        f"Run {result['started_at']} → {result['finished_at']} (UTC), `{result['runner']}`, "
        f"isotrack code {result.get('code_commit', result['machine']['git_commit'][:12])}. "
        f"Database settings: "
        + ", ".join(f"{k} = {v}" for k, v in result["settings"].items())
        + ".",
        "",
        f"- Seed: {seed['patients']:,} patients, {seed['events']:,} events, "
        f"{seed['seconds']:,.0f} s through the store's import path "
        f"({seed['patients'] / seed['seconds']:,.0f} patients/s): `{seed['command']}`",
        f"- Server: `isotrack {result['serve_command']}` with "
        f"`ISOTRACK_DATABASE_URL={result['url']}`",
        "",
        "Throughput runs (each: decisions, then `/healthz`, same server):",
        "",
        "| run | decisions/s | /healthz/s | ratio | decision p50 / p99 (closed loop) | errors "
        "| load avg before |",
        "|---|---|---|---|---|---|---|",
    ]
    for index, run in enumerate(result["throughput"]["runs"], start=1):
        lines.append(
            f"| {index} | {run['decisions_per_second']:,.0f} | {run['health_per_second']:,.0f} | "
            f"{run['ratio']:.3f} | {run['decision_p50_ms']:,.0f} / "
            f"{run['decision_p99_ms']:,.0f} ms | "
            f"{run['errors']} | {run['load_before'][0]:.2f} |"
        )
    lines += [
        "",
        f"Fixed-rate runs ({plan['latency_connections']} connections × "
        f"{plan['latency_rate_per_connection']} req/s for {plan['latency_seconds']} s):",
        "",
        "| run | served req/s | p50 | p90 | p99 | p99.9 | max | non-2xx | committed "
        "| load avg before |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for index, run in enumerate(result["latency"]["runs"], start=1):
        lines.append(
            f"| {index} | {run['achieved_rps']:,.0f} | {run['p50_ms']:,.1f} ms | "
            f"{run['p90_ms']:,.1f} ms | "
            f"{run['p99_ms']:,.1f} ms | {run['p999_ms']:,.1f} ms | {run['max_ms']:,.0f} ms | "
            f"{run['errors']} | {run['committed']:,} | {run['load_before'][0]:.2f} |"
        )
    s = result["storm"]
    a = result["access"]
    lines += [
        "",
        f"Storm: wrk sent {s['sent_by_wrk']:,} decision requests, "
        f"{s['answered_2xx']:,} were answered 2xx, the authorizations table grew by "
        f"{s['committed']:,}; {s['errors']} errors; "
        f"{s['seconds']:,.0f} s. Load average before: {s['load_before'][0]:.2f}.",
        "",
        f"B5 rounds ({a['ops_per_round']:,} random courses each after {a['warmup']:,} warm-up, "
        f"µs per decision's reads): store "
        + ", ".join(f"{v:,.0f}" for v in a["store_us"])
        + "; raw "
        + ", ".join(f"{v:,.0f}" for v in a["raw_us"])
        + ".",
        "",
    ]
    return lines


def commands_section(results: list[dict[str, Any]]) -> list[str]:
    first = results[0]
    throughput = first["throughput"]["runs"][0]["commands"]
    return [
        "### Exact commands",
        "",
        "Everything is driven by `bench/dispense.py`; these are the commands it ran "
        "(`$TOKEN` is the pharmacist's bearer token the seeder issued, `$PORT` a free "
        "loopback port, `$COURSE`/`$RX` one seeded course and its due prescription):",
        "",
        "```sh",
        "# once: load generators from Debian",
        "apt-get install -y wrk hey",
        "# seed (empty database, schema upgraded by the seeder)",
        first["seed"]["command"],
        "# the service",
        f"ISOTRACK_DATABASE_URL=... isotrack {first['serve_command']}",
        "# B1 throughput, decisions then /healthz, repeated",
        *throughput,
        "# B1 fixed rate",
        *first["latency"]["runs"][0]["commands"],
        "# B1 storm (the runner sends SIGINT to wrk once the authorizations table has grown by",
        "# the full count; wrk then prints its summary)",
        first["storm"]["command"],
        "# B5 in process",
        first["access"]["command"],
        "```",
        "",
    ]


def machine_section(result: dict[str, Any]) -> list[str]:
    m = result["machine"]
    v = m["versions"]
    return [
        "### Machine and versions",
        "",
        f"- {m['nproc']} vCPU ({m['cpu']}), {m['memory_gib']} GiB RAM, {m['os']}, kernel "
        f"{m['kernel']}; the load generator, the service and PostgreSQL share the same "
        "cores. The load average before each run is recorded with it: anything above about "
        "2 means other work shared the machine.",
        f"- Python {v['python']}, FastAPI {v['fastapi']}, Starlette {v['starlette']}, uvicorn "
        f"{v['uvicorn']} (uvloop {v['uvloop']}, httptools {v['httptools']}), SQLAlchemy "
        f"{v['sqlalchemy']}, psycopg {v['psycopg']}, pydantic {v['pydantic']}, SQLite "
        f"{v['sqlite']}, {v['wrk']}, hey {v['hey']}.",
        "- isotrack code: the commit each database's run started on is given below.",
        "",
    ]


def render(results: list[dict[str, Any]]) -> str:
    lines = [
        START,
        "",
        "## Figures against the targets",
        "",
        "| database | what | target | measured: median (spread) | verdict |",
        "|---|---|---|---|---|",
    ]
    for result in results:
        lines += summary_rows(result)
    lines.append("")
    if any(r["quick"] for r in results):
        lines += ["These are **quick-mode** figures (small seed, short runs).", ""]
    lines += machine_section(results[0])
    lines += ["## Measurements in detail", ""]
    for result in results:
        lines += detail_section(result)
    lines += commands_section(results)
    lines.append(END)
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    suffix = "-quick" if args.quick else ""
    results = [
        json.loads(path.read_text())
        for name in ("sqlite", "postgres")
        if (path := BENCH_DIR / "results" / f"{name}{suffix}.json").exists()
    ]
    if not results:
        raise SystemExit("no results yet: run bench/dispense.py first")
    generated = render(results)
    text = DOC.read_text() if DOC.exists() else f"# Benchmarks\n\n{START}\n{END}\n"
    before, _, rest = text.partition(START)
    _, _, after = rest.partition(END)
    DOC.write_text(before + generated + after)
    print(f"wrote {DOC}")


if __name__ == "__main__":
    main()
