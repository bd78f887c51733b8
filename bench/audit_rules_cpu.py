"""The audit rules' courses per CPU second on this code and on the code of ``--ref``, and whether
their findings agree, on the same synthetic courses (issue 14).

Each round runs one Python process per code (``git archive REF src`` first on ``PYTHONPATH``
for the reference, same interpreter and dependencies), alternating, so both see the same load:
the process loads the knowledge base, writes ``--courses`` courses of ``isotrack synth`` seed
``--seed`` as JSON lines, audits three other courses to warm up, then times (CPU time of the
process, ``time.process_time``) loading and auditing every line, as the runners do per batch.
It prints each round, the median rates, their ratio, a digest of all findings (they must be the
same) and ``uptime`` before and after.

    flock /tmp/isotrack-bench.lock .venv/bin/python bench/audit_rules_cpu.py --ref dc29a18
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
_CHILD = """
import hashlib, json, sys, time
from dataclasses import asdict
from isotrack.audit.batch import knowledge
from isotrack.audit.rules import audit_course
from isotrack.audit.synth import AUDIT_DATE, synth_course
from isotrack.domain.timeline import load_timeline
courses, seed = int(sys.argv[1]), int(sys.argv[2])
k = knowledge()
lines = [json.dumps(synth_course(seed, i)[0]) for i in range(courses)]
for i in range(3):
    audit_course(k, load_timeline(json.dumps(synth_course(seed + 1000, i)[0])), AUDIT_DATE)
started = time.process_time()
audits = [audit_course(k, load_timeline(line), AUDIT_DATE) for line in lines]
cpu = time.process_time() - started
digest = hashlib.sha256()
for a in audits:
    digest.update(json.dumps([asdict(f) for f in a.findings], sort_keys=True).encode())
print(json.dumps({"cpu_s": cpu, "courses_per_cpu_s": courses / cpu,
                  "dispenses": sum(a.dispenses for a in audits),
                  "findings": sum(len(a.findings) for a in audits),
                  "digest": digest.hexdigest()}))
"""


def _run(courses: int, seed: int, pythonpath: str | None) -> dict[str, float | str]:
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    done = subprocess.run([sys.executable, "-c", _CHILD, str(courses), str(seed)],
                          env=env, capture_output=True, text=True, check=True)  # fmt: skip
    result: dict[str, float | str] = json.loads(done.stdout)
    return result


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ref", default="dc29a18")
    parser.add_argument("--courses", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print("start:", _uptime(), flush=True)
    with tempfile.TemporaryDirectory() as work:
        archive = subprocess.run(["git", "-C", str(REPO), "archive", args.ref, "src"],
                                 check=True, capture_output=True).stdout  # fmt: skip
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(Path(work) / "before", filter="data")
        before_path = str(Path(work) / "before" / "src")
        rates: dict[str, list[float]] = {"before": [], "after": []}
        digests: set[object] = set()
        for round_ in range(args.rounds):
            for name, path in (("before", before_path), ("after", None)):
                result = _run(args.courses, args.seed, path)
                rates[name].append(float(result["courses_per_cpu_s"]))
                digests.add((result["findings"], result["digest"]))
                print(f"round {round_ + 1} {name}: {result}", flush=True)
    before, after = statistics.median(rates["before"]), statistics.median(rates["after"])
    print(f"median courses per CPU second: before {before:.1f}, after {after:.1f}, "
          f"ratio {after / before:.2f}")  # fmt: skip
    print("findings:", "identical" if len(digests) == 1 else f"DIFFERENT {digests}")
    print("end:", _uptime())
    return 0 if len(digests) == 1 else 1


if __name__ == "__main__":
    sys.exit(main())
