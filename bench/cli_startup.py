"""How long the ``isotrack`` command takes to start: ``--help`` and ``check-dispense``.

Each command is run as a new process, as a person or a pharmacy script would run it; the
baseline is ``python -c pass`` with the same interpreter, measured in the same run and
interleaved with the commands so that load on the machine affects all alike. Reported: the
median and best wall time of each, and each median as a ratio to the baseline's median
(issue 12 targets: ``--help`` <= 0.2 s, ``check-dispense`` on one file <= 0.35 s).

    python bench/cli_startup.py [--runs 15] [--src OTHER/src] [--json]

``--src`` runs another source tree of isotrack (for example main's, for a before/after).
It also lists which heavy libraries each command imported (from ``sys.modules``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from machine import describe_machine

HERE = Path(__file__).resolve().parent
SCENARIO = HERE.parent / "tests/programme/scenarios/us2023-cgp-full-course.json"
HEAVY = ("sqlalchemy", "alembic", "fastapi", "pint", "pydantic")
RUN_CLI = "import sys; from isotrack.cli import main; sys.argv[0] = 'isotrack'; main()"


def _commands(scenario: Path, on: str) -> dict[str, list[str]]:
    python = sys.executable
    return {
        "python -c pass": [python, "-c", "pass"],
        "isotrack --help": [python, "-c", RUN_CLI, "--help"],
        "isotrack check-dispense": [
            python, "-c", RUN_CLI, "check-dispense", str(scenario), "--on", on,
        ],
    }  # fmt: skip


def _environment(src: Path | None) -> dict[str, str]:
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = str(src)
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
    parser.add_argument("--json", action="store_true")
    options = parser.parse_args()
    env = _environment(options.src)
    commands = _commands(SCENARIO, options.on)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for command in commands.values():  # warm the file cache, not measured
        _wall_seconds(command, env)
    for _ in range(options.runs):
        for name, command in commands.items():
            times[name].append(_wall_seconds(command, env))
    baseline = statistics.median(times["python -c pass"])
    result = {
        "source": str(options.src or "installed"),
        "runs": options.runs,
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
    if options.json:
        print(json.dumps(result, indent=2))
        return
    print(f"source: {result['source']}, {options.runs} runs each, interleaved")
    for name, figures in result["commands"].items():
        print(
            f"  {name:26} median {figures['median_s']:.3f} s  best {figures['best_s']:.3f} s  "
            f"{figures['ratio_to_python']:.1f}x python -c pass"
        )
    for name, modules in result["heavy_imports"].items():
        print(f"  heavy libraries imported by {name}: {', '.join(modules) or 'none'}")


if __name__ == "__main__":
    main()
