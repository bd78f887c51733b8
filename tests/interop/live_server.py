"""The whole isotrack service on a real loopback socket (uvicorn in a thread), for the tests in
which real FHIR clients talk HTTP to it."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from service_clinic import TODAY

from isotrack.server import create_app
from isotrack.service.settings import Settings


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(settings: Settings) -> Iterator[str]:
    """Yields the base URL (``http://127.0.0.1:PORT``) while the service listens."""
    port = _free_port()
    config = uvicorn.Config(
        create_app(settings, today=lambda: TODAY), host="127.0.0.1", port=port,
        log_level="warning", lifespan="on",
    )  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the isotrack test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
