"""Runs the Node validator (Medplum's validateResource, tests/interop/node/validate.mjs).

The Node packages are installed with ``npm ci`` when missing. Without npm the tests that need
it skip with the reason, unless ISOTRACK_REQUIRE_NODE is set (CI), where they fail instead.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

NODE_DIR = Path(__file__).parent / "node"
NODE = NODE_DIR / "node_modules" / ".bin" / "node"
EXAMPLES = NODE_DIR / "node_modules" / "hl7.fhir.r4.examples"
FHIR_KIT = NODE_DIR / "node_modules" / "fhir-kit-client"


def ensure_node_packages() -> None:
    """Install the pinned packages (lock file) once; skip or fail when that is impossible."""
    if NODE.exists() and EXAMPLES.exists() and FHIR_KIT.exists():
        return
    npm = shutil.which("npm")
    required = bool(os.environ.get("ISOTRACK_REQUIRE_NODE"))
    if npm is None:
        if required:
            pytest.fail("ISOTRACK_REQUIRE_NODE is set but npm is not on PATH")
        pytest.skip("npm is not available: the Medplum validator and FHIR examples need it")
    done = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund"], cwd=NODE_DIR, capture_output=True, text=True,
        timeout=600, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        message = f"npm ci failed in {NODE_DIR}: {done.stderr[-2000:]}"
        if required:
            pytest.fail(message)
        pytest.skip(message)


def medplum_issues(resources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Medplum's findings for each resource: ``[{index, resourceType, id, issues}]``."""
    ensure_node_packages()
    done = subprocess.run(
        [str(NODE), "validate.mjs"], cwd=NODE_DIR, input=json.dumps(resources),
        capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    results: list[dict[str, Any]] = json.loads(done.stdout)
    return results
