"""Instructions per course of ``isotrack evaluate --batch``, counted by valgrind, before and after.

CPU time on a shared machine moves with what else runs on it; the number of instructions a
program executes does not (``valgrind --tool=callgrind`` counts them, whatever the load). This
bench counts, for this checkout and for the code of ``--ref`` (``git archive REF src`` first on
``PYTHONPATH``, same interpreter and dependencies):

- ``isotrack evaluate --batch FILE --as-of DAY`` over N six-month courses and over none; the
  difference divided by N is the instructions one course costs (start-up and the knowledge base
  cancel out);
- the yardstick, measured the same way: ``json.loads`` + ``json.dumps`` of each of the same N
  documents in a Python process.

It prints instructions per course for each and each as a ratio to the yardstick, and the
after/before ratio. The runs go two at a time (valgrind runs a program some 50 times slower).

    .venv/bin/python bench/engine_instructions.py --ref 66ac901 --courses 100 [--json out.json]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from courses import AS_OF, six_month_course
from machine import describe_machine

REPO = Path(__file__).resolve().parent.parent
_REFS = re.compile(r"I\s+refs:\s+([\d,]+)")
_YARDSTICK = (
    "import json, sys\n"
    "for line in open(sys.argv[1], 'rb'):\n"
    "    if line.strip():\n"
    "        json.dumps(json.loads(line))\n"
)


def _instructions(command: list[str], pythonpath: str | None) -> int:
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *command],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    found = _REFS.search(done.stderr)
    if found is None:
        raise RuntimeError(f"valgrind printed no instruction count: {done.stderr[-400:]}")
    return int(found.group(1).replace(",", ""))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ref", required=True, help="the commit to compare with")
    parser.add_argument("--courses", type=int, default=100)
    parser.add_argument("--json", type=Path, help="write the figures here too")
    args = parser.parse_args()
    isotrack = str(Path(sys.executable).with_name("isotrack"))
    with tempfile.TemporaryDirectory() as work:
        full, empty = Path(work) / "courses.ndjson", Path(work) / "empty.ndjson"
        full.write_text(
            "".join(json.dumps(six_month_course(n)) + "\n" for n in range(args.courses)),
            encoding="utf-8",
        )
        empty.write_text("", encoding="utf-8")
        archive = subprocess.run(["git", "-C", str(REPO), "archive", args.ref, "src"],
                                 check=True, capture_output=True).stdout  # fmt: skip
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(Path(work) / "before", filter="data")
        before_src = str(Path(work) / "before" / "src")

        def evaluate(path: Path) -> list[str]:
            return [isotrack, "evaluate", "--batch", str(path), "--as-of", AS_OF.isoformat()]

        def yardstick(path: Path) -> list[str]:
            return [sys.executable, "-c", _YARDSTICK, str(path)]

        runs = {
            "after": (evaluate, None),
            "before": (evaluate, before_src),
            "json": (yardstick, None),
        }
        jobs = [(name, size, command(path), pythonpath)
                for name, (command, pythonpath) in runs.items()
                for size, path in (("full", full), ("empty", empty))]  # fmt: skip
        with ThreadPoolExecutor(max_workers=2) as pool:
            counts = dict(
                zip(
                    [(name, size) for name, size, _, _ in jobs],
                    pool.map(lambda job: _instructions(job[2], job[3]), jobs),
                    strict=True,
                )
            )
    per_course = {
        name: (counts[(name, "full")] - counts[(name, "empty")]) / args.courses for name in runs
    }
    figures = {
        "machine": describe_machine(),
        "ref": args.ref,
        "courses": args.courses,
        "instructions_per_course": per_course,
        "ratio_to_json": {name: per_course[name] / per_course["json"] for name in runs},
        "after_over_before": per_course["after"] / per_course["before"],
    }
    for name in ("before", "after", "json"):
        print(f"{name:7s} {per_course[name] / 1e6:8.2f} M instructions per course  "
              f"ratio to json {figures['ratio_to_json'][name]:6.1f}")  # fmt: skip
    print(f"after / before: {figures['after_over_before']:.3f} "
          f"({1 / figures['after_over_before']:.2f}x fewer instructions)")  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
