"""How long the ``isotrack`` command takes to start: ``--help`` and ``check-dispense``.

Each command is run as a new process, as a person or a pharmacy script would run it; the
baseline is ``python -c pass`` with the same interpreter, measured in the same run and
interleaved with the commands so that load on the machine affects all alike. Reported: the
median and best wall time of each, and each median as a ratio to the baseline's median
(issue 12 targets: ``--help`` <= 0.2 s, ``check-dispense`` on one file <= 0.35 s).

    python bench/cli_startup.py [--runs 15] [--src OTHER/src] [--compiled] [--json]

``--src`` runs another source tree of isotrack (for example main's, for a before/after).
It also lists which heavy libraries each command imported (from ``sys.modules``).

``check-dispense`` is measured twice: as run every day, with the validated knowledge base
kept from the run before (``isotrack.knowledge.cache``, in a folder of this run's own), and
with that cache off (``ISOTRACK_KNOWLEDGE_CACHE=off``), as the first run after the knowledge
files or isotrack change. Trees without the cache run the same command twice.

``--compiled`` lets Python keep the bytecode of isotrack's modules (in a folder of this run's
own, through ``PYTHONPYCACHEPREFIX``), as an installed package has it. Without it the
environment decides: where ``PYTHONDONTWRITEBYTECODE`` is set (this machine's sessions set it)
every run compiles isotrack's sources again, about 0.2 s of ``check-dispense`` on its own.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from machine import describe_machine

HERE = Path(__file__).resolve().parent
SCENARIO = HERE.parent / "tests/programme/scenarios/us2023-cgp-full-course.json"
HEAVY = ("sqlalchemy", "alembic", "fastapi", "pint", "numpy", "pydantic", "typer")
RUN_CLI = "import sys; from isotrack.cli import main; sys.argv[0] = 'isotrack'; main()"


NO_CACHE = "isotrack check-dispense, knowledge cache off"


def _commands(scenario: Path, on: str) -> dict[str, list[str]]:
    python = sys.executable
    dispense = [python, "-c", RUN_CLI, "check-dispense", str(scenario), "--on", on]
    return {
        "python -c pass": [python, "-c", "pass"],
        "isotrack --help": [python, "-c", RUN_CLI, "--help"],
        "isotrack check-dispense": dispense,
        NO_CACHE: dispense,
    }


def _environment(src: Path | None, scratch: Path, compiled: bool) -> dict[str, str]:
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = str(src)
    env["ISOTRACK_KNOWLEDGE_CACHE"] = str(scratch / "knowledge-cache")
    if compiled:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(scratch / "bytecode")
    return env


def _wall_seconds(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def _heavy_imports(arguments: list[str], env: dict[str, str]) -> list[str]:
    probe = (
        "import sys, atexit\n"
        f"atexit.register(lambda: print('HEAVY', sorted({{m.split('.')[0] for m in sys.modules}}"
        f" & set({HEAVY!r})), file=sys.stderr))\n" + RUN_CLI
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, *arguments], env=env, capture_output=True, text=True
    )
    for line in done.stderr.splitlines():
        if line.startswith("HEAVY"):
            return list(eval(line.removeprefix("HEAVY ")))  # a printed list of names
    return ["(probe failed)"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--src", type=Path, default=None, help="another isotrack source tree")
    parser.add_argument("--on", default="2024-03-08", help="the dispensing day to check")
    parser.add_argument("--compiled", action="store_true", help="keep bytecode, as installed")
    parser.add_argument("--json", action="store_true")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cli-startup-") as scratch:
        result = _measure(options, Path(scratch))
    if options.json:
        print(json.dumps(result, indent=2))
        return
    print(f"source: {result['source']}, {options.runs} runs each, interleaved")
    for name, figures in result["commands"].items():
        print(
            f"  {name:42} median {figures['median_s']:.3f} s  best {figures['best_s']:.3f} s  "
            f"{figures['ratio_to_python']:.1f}x python -c pass"
        )
    for name, modules in result["heavy_imports"].items():
        print(f"  heavy libraries imported by {name}: {', '.join(modules) or 'none'}")


def _measure(options: argparse.Namespace, scratch: Path) -> dict[str, Any]:
    env = _environment(options.src, scratch, options.compiled)
    uncached = {**env, "ISOTRACK_KNOWLEDGE_CACHE": "off"}
    commands = _commands(SCENARIO, options.on)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for command in commands.values():  # warm the file cache (and the bytecode), not measured
        _wall_seconds(command, env)
    for _ in range(options.runs):
        for name, command in commands.items():
            times[name].append(_wall_seconds(command, uncached if name == NO_CACHE else env))
    baseline = statistics.median(times["python -c pass"])
    return {
        "source": str(options.src or "installed"),
        "runs": options.runs,
        "bytecode": "kept" if options.compiled else "as the environment decides",
        "load_average": os.getloadavg(),
        "machine": describe_machine(),
        "commands": {
            name: {
                "median_s": round(statistics.median(t), 4),
                "best_s": round(min(t), 4),
                "ratio_to_python": round(statistics.median(t) / baseline, 2),
            }
            for name, t in times.items()
        },
        "heavy_imports": {
            "--help": _heavy_imports(["--help"], env),
            "check-dispense": _heavy_imports(
                ["check-dispense", str(SCENARIO), "--on", options.on], env
            ),
        },
    }


if __name__ == "__main__":
    main()
