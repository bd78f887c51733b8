"""The ``isotrack`` command as a real process, for the tests that start the service."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

ISOTRACK = Path(sys.executable).with_name("isotrack")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def run_isotrack(
    args: list[str], env: dict[str, str], cwd: Path
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ISOTRACK), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120
    )
