"""Speed work must not change a single answer: ``evaluate --batch`` on this code and on the code
of ``--ref``, byte for byte, on the programme scenarios and the benchmark's six-month courses.

The courses (``tests/programme/scenarios/*.json`` and ``--courses`` of ``bench/courses.py``)
go through ``isotrack evaluate --batch FILE --as-of DAY`` twice per day: once with this
checkout's code, once with ``git archive REF src`` first on ``PYTHONPATH`` (same interpreter
and dependencies). Exit status 1 when any output differs, naming the day and the first line.

    .venv/bin/python bench/batch_parity.py --ref c7c6f5e --courses 400
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from courses import six_month_course

REPO = Path(__file__).resolve().parent.parent
DAYS = ("2024-03-08", "2026-11-15", "2026-11-30", "2027-03-01")


def _evaluate(ndjson: Path, day: str, pythonpath: str | None) -> bytes:
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    command = [str(Path(sys.executable).with_name("isotrack")), "evaluate", "--batch",
               str(ndjson), "--as-of", day]  # fmt: skip
    return subprocess.run(command, env=env, capture_output=True, check=True).stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ref", default="c7c6f5e")
    parser.add_argument("--courses", type=int, default=400)
    parser.add_argument("--days", nargs="*", default=list(DAYS))
    args = parser.parse_args()
    scenarios = sorted((REPO / "tests/programme/scenarios").glob("*.json"))
    documents = [json.loads(p.read_text(encoding="utf-8")) for p in scenarios]
    documents += [six_month_course(n) for n in range(args.courses)]
    with tempfile.TemporaryDirectory() as work:
        ndjson = Path(work) / "courses.ndjson"
        ndjson.write_text("".join(json.dumps(d) + "\n" for d in documents), encoding="utf-8")
        archive = subprocess.run(["git", "-C", str(REPO), "archive", args.ref, "src"],
                                 check=True, capture_output=True).stdout  # fmt: skip
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(Path(work) / "before", filter="data")
        differ = 0
        for day in args.days:
            before = _evaluate(ndjson, day, str(Path(work) / "before" / "src"))
            after = _evaluate(ndjson, day, None)
            if before == after:
                print(f"{day}: {len(documents)} assessments, identical ({len(after):,} bytes)")
                continue
            differ += 1
            pairs = zip(before.splitlines(), after.splitlines(), strict=False)
            line = next((i for i, (b, a) in enumerate(pairs, 1) if b != a), None)
            print(f"{day}: DIFFERENT, first at line {line}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
