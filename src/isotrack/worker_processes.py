"""Worker processes for ``isotrack serve --workers N``: one listening socket per worker.

When several processes accept on one shared socket, the one that happens to be awake takes
every connection that arrives together, so a pharmacy system's pool of keep-alive
connections can all land on one worker while the others idle (measured: 32 of 32). Here each
worker binds its own socket to the same address with ``SO_REUSEPORT``, and the kernel spreads
new connections across them. A small supervisor starts the workers, replaces one that dies
(and says so), and passes on a stop signal.

Where ``SO_REUSEPORT`` does not exist (not Linux or BSD), uvicorn's own supervisor serves.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import sys
import threading
import time
from dataclasses import dataclass, replace
from multiprocessing.process import BaseProcess
from types import FrameType

import uvicorn

APP_FACTORY = "isotrack.server:app_from_env"
LISTEN_BACKLOG = 2048
# A worker that dies sooner than this after it started is failing to start, not crashing in
# service: restarting it would only loop, so the supervisor stops everything instead.
MIN_WORKER_LIFETIME_S = 10.0
STOP_GRACE_S = 30.0

log = logging.getLogger("isotrack.serve")


@dataclass(frozen=True)
class ServeOptions:
    host: str
    port: int
    workers: int
    access_log: bool = False
    log_level: str = "warning"


def serve(options: ServeOptions) -> int:
    """Run the service until stopped; returns the exit status for the command line."""
    if options.access_log:
        # The app's own request log (no PHI), read by every worker from the environment;
        # uvicorn's access log (full paths and query strings) stays off.
        os.environ["ISOTRACK_ACCESS_LOG"] = "1"
    if options.workers == 1 or not hasattr(socket, "SO_REUSEPORT"):
        uvicorn.run(
            APP_FACTORY,
            factory=True,
            host=options.host,
            port=options.port,
            workers=options.workers,
            access_log=False,
            log_level=options.log_level,
        )
        return 0
    _configure_logging()
    port = _claim_port(options.host, options.port)
    if port != options.port:
        log.info("listening on port %s", port)
    return _Supervisor(replace(options, port=port)).run()


def _configure_logging() -> None:
    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("isotrack serve: %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False


def _address(host: str, port: int) -> tuple[socket.AddressFamily, tuple[str, int]]:
    family, _type, _proto, _name, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[
        0
    ]
    return family, (str(address[0]), int(address[1]))


def _listening_socket(host: str, port: int) -> socket.socket:
    family, address = _address(host, port)
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(address)
    sock.listen(LISTEN_BACKLOG)
    return sock


def _claim_port(host: str, port: int) -> int:
    """Fail at once, in the supervisor, if anything listens on the address already; returns
    the port to use (port 0 picks a free one, the same for every worker).

    The probe does not set ``SO_REUSEPORT``: with it, the kernel would let this service share
    the port with another isotrack service already running there (an old version, another
    database) and split the connections between them.
    """
    family, address = _address(host, port)
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT is no owner
        probe.bind(address)
        probe.listen(1)
        return int(probe.getsockname()[1])


def _run_worker(options: ServeOptions) -> None:  # runs in the child process
    sock = _listening_socket(options.host, options.port)
    config = uvicorn.Config(
        APP_FACTORY,
        factory=True,
        access_log=False,
        log_level=options.log_level,
    )
    uvicorn.Server(config).run(sockets=[sock])


class _Supervisor:
    def __init__(self, options: ServeOptions) -> None:
        self._options = options
        self._context = multiprocessing.get_context("spawn")
        self._stop = threading.Event()
        self._workers: list[tuple[BaseProcess, float]] = []

    def _start_one(self) -> tuple[BaseProcess, float]:
        process = self._context.Process(
            target=_run_worker, args=(self._options,), name="isotrack-worker"
        )
        process.start()
        log.info("worker %s started", process.pid)
        return process, time.monotonic()

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        self._stop.set()

    def run(self) -> int:
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self._on_signal)
        self._workers = [self._start_one() for _ in range(self._options.workers)]
        status = 0
        while not self._stop.wait(0.5):
            for index, (process, started) in enumerate(self._workers):
                if process.is_alive():
                    continue
                lived_s = time.monotonic() - started
                log.warning(
                    "worker %s exited with code %s after %.0f s",
                    process.pid,
                    process.exitcode,
                    lived_s,
                )
                if lived_s < MIN_WORKER_LIFETIME_S:
                    log.error("a worker failed while starting; stopping the service")
                    status = 1
                    self._stop.set()
                    break
                self._workers[index] = self._start_one()
        self._stop_all()
        return status

    def _stop_all(self) -> None:
        for process, _started in self._workers:
            if process.is_alive() and process.pid is not None:
                process.terminate()  # SIGTERM: uvicorn finishes the requests in flight
        deadline = time.monotonic() + STOP_GRACE_S
        for process, _started in self._workers:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                log.warning(
                    "worker %s did not stop in %.0f s; killing it", process.pid, STOP_GRACE_S
                )
                process.kill()
                process.join()
