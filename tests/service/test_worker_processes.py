"""``isotrack serve --workers N`` as real processes: a supervisor and N workers, each worker
listening on its own ``SO_REUSEPORT`` socket. A worker that dies in service is replaced and
the supervisor says so; one that dies while starting stops the service; a stop signal stops
everything; an address held by another program is refused with a clear message.

SQLite only: the subject is the processes, not the store. Linux only (``SO_REUSEPORT`` and
``/proc``).
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from isotrack_process import ISOTRACK, free_port, run_isotrack

from isotrack.worker_processes import MIN_WORKER_LIFETIME_S

# How long a step may take before the test gives up: generous, since worker start-up on a
# runner at load 20 took over 60 s (a wait, never a timing assertion).
DEADLINE_S = 240.0
WORKER_STARTED = re.compile(r"isotrack serve: worker (\d+) started")

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or not hasattr(socket, "SO_REUSEPORT"),
    reason="the worker supervisor needs SO_REUSEPORT and /proc (Linux)",
)
_OWN_CHILDREN = Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children")
needs_children_file = pytest.mark.skipif(
    not _OWN_CHILDREN.exists(),
    reason="/proc/<pid>/task/<pid>/children is missing (kernel without CONFIG_PROC_CHILDREN)",
)


@dataclass(frozen=True)
class ClinicSite:
    """Where the service runs: its working directory and its environment."""

    home: Path
    env: dict[str, str]


@pytest.fixture(scope="module")
def clinic_site(tmp_path_factory: pytest.TempPathFactory) -> ClinicSite:
    """A demo clinic in a SQLite file, set up the README's way (`db upgrade`, `demo`)."""
    home = tmp_path_factory.mktemp("workers")
    env = dict(os.environ)
    env["ISOTRACK_DATABASE_URL"] = f"sqlite:///{home / 'clinic.sqlite'}"
    env["ISOTRACK_PASSWORD_HASH_PROFILE"] = "CHEAPEST"
    upgraded = run_isotrack(["db", "upgrade"], env, home)
    assert upgraded.returncode == 0, upgraded.stderr
    demo = run_isotrack(["demo"], env, home)
    assert demo.returncode == 0 and "demo patients created" in demo.stdout, demo.stderr
    return ClinicSite(home, env)


# --- looking at processes and sockets through /proc ----------------------------------------


def _children(pid: int) -> set[int]:
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    return {int(child) for child in text.split()}


def _is_gone(pid: int) -> bool:
    """No such process, or only its exit status is left (a zombie holds no sockets)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return True
    state = stat.rsplit(")", 1)[1].split()[0]
    return state in ("Z", "X")


def _listening_inodes(port: int) -> set[str]:
    """Inodes of the IPv4 sockets listening on 127.0.0.1:``port``."""
    wanted = f"0100007F:{port:04X}"
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[1] == wanted and fields[3] == "0A":  # 0A: TCP_LISTEN
            inodes.add(fields[9])
    return inodes


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    try:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[len("socket:[") : -1])
    except OSError:
        return set()
    return inodes


def _wait_for(what: str, condition: Callable[[], bool], deadline_s: float = DEADLINE_S) -> None:
    deadline = time.monotonic() + deadline_s
    while not condition():
        assert time.monotonic() < deadline, f"{what}: not within {deadline_s:.0f} s"
        time.sleep(0.2)


# --- the service under test ----------------------------------------------------------------


class RunningService:
    """``isotrack serve --workers N`` with its merged stdout/stderr collected line by line."""

    def __init__(self, site: ClinicSite, workers: int, port: int | None = None) -> None:
        self.port = free_port() if port is None else port
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [str(ISOTRACK), "serve", "--port", str(self.port), "--workers", str(workers)],
            env=site.env,
            cwd=site.home,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self._lines: list[tuple[float, str]] = []
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._collect, daemon=True)
        self._reader.start()

    def _collect(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            with self._lock:
                self._lines.append((time.monotonic(), line.rstrip("\n")))

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        with self._lock:
            return "\n".join(line for _seen, line in self._lines)

    def lines(self) -> list[tuple[float, str]]:
        with self._lock:
            return list(self._lines)

    def started_workers(self) -> dict[int, float]:
        """Each worker the supervisor announced, with when its announcement was read."""
        found: dict[int, float] = {}
        for seen, line in self.lines():
            match = WORKER_STARTED.search(line)
            if match:
                found[int(match.group(1))] = seen
        return found

    def wait_for_line(self, pattern: str) -> re.Match[str]:
        compiled = re.compile(pattern)
        deadline = time.monotonic() + DEADLINE_S
        while True:
            for _seen, line in self.lines():
                match = compiled.search(line)
                if match:
                    return match
            assert time.monotonic() < deadline, (
                f"no line matching {pattern!r} within {DEADLINE_S:.0f} s; output:\n" + self.output()
            )
            time.sleep(0.2)

    def wait_until_ready(self) -> None:
        deadline = time.monotonic() + DEADLINE_S
        while True:
            try:
                if httpx.get(f"{self.base}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            assert self.process.poll() is None, self.output()
            assert time.monotonic() < deadline, f"not ready in {DEADLINE_S:.0f} s:\n{self.output()}"
            time.sleep(0.2)

    def live_workers(self) -> set[int]:
        """The supervisor's children that it announced as workers and that still run."""
        announced = set(self.started_workers())
        return {pid for pid in _children(self.pid) & announced if not _is_gone(pid)}

    def wait_for_listening_workers(self, count: int) -> dict[int, str]:
        """Wait until ``count`` workers each hold their own socket listening on the port."""
        holders: dict[int, str] = {}

        def each_worker_listens() -> bool:
            nonlocal holders
            listening = _listening_inodes(self.port)
            holders = {}
            for worker in self.live_workers():
                own = _socket_inodes(worker) & listening
                if len(own) == 1:
                    holders[worker] = own.pop()
            return len(holders) == count and set(holders.values()) == listening

        _wait_for(f"{count} workers each listening on port {self.port}", each_worker_listens)
        return holders

    def answers_on_fresh_connections(self, times: int) -> list[int]:
        """/healthz, each time on a new TCP connection (a new client, no keep-alive)."""
        statuses = []
        for _ in range(times):
            # Generous: a connection the kernel hands to a worker still loading the app waits
            # in that worker's backlog until it accepts.
            with httpx.Client(timeout=30, headers={"Connection": "close"}) as fresh:
                statuses.append(fresh.get(f"{self.base}/healthz").status_code)
        return statuses

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=DEADLINE_S)
        finally:
            self._reader.join(timeout=5)


StartService = Callable[..., RunningService]


@pytest.fixture
def start_service(clinic_site: ClinicSite) -> Iterator[StartService]:
    started: list[RunningService] = []

    def start(workers: int, port: int | None = None) -> RunningService:
        service = RunningService(clinic_site, workers, port)
        started.append(service)
        return service

    yield start
    for service in started:  # a failed test must not leave a service or its workers behind
        workers = set(service.started_workers())
        if service.process.poll() is None:
            service.process.send_signal(signal.SIGTERM)
            try:
                service.process.wait(timeout=DEADLINE_S)
            except subprocess.TimeoutExpired:
                service.process.kill()
                service.process.wait()
        for worker in workers:
            if not _is_gone(worker):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(worker, signal.SIGKILL)


# --- the cases -----------------------------------------------------------------------------


@needs_children_file
def test_a_worker_killed_in_service_is_replaced_and_the_service_keeps_answering(
    start_service: StartService,
) -> None:
    # Busy pharmacy morning: two workers share the port. One is killed by the OOM killer
    # (SIGKILL) long after it started; the tills keep getting answers, the supervisor says
    # what happened and starts a new worker in its place.
    service = start_service(2)
    service.wait_until_ready()
    first_sockets = service.wait_for_listening_workers(2)
    assert len(set(first_sockets.values())) == 2  # one socket per worker, not one shared
    assert service.answers_on_fresh_connections(40) == [200] * 40

    victim = min(first_sockets)
    survivor = max(first_sockets)
    announced_at = service.started_workers()[victim]
    # Past the start-up grace period, so that this is a crash in service, not a failed start.
    while time.monotonic() - announced_at <= MIN_WORKER_LIFETIME_S + 1:
        time.sleep(0.2)
    os.kill(victim, signal.SIGKILL)
    _wait_for(f"worker {victim} to die", lambda: _is_gone(victim))

    assert service.answers_on_fresh_connections(40) == [200] * 40
    service.wait_for_line(rf"isotrack serve: worker {victim} exited with code -9 after \d+ s")
    _wait_for("a replacement worker", lambda: len(service.started_workers()) == 3)
    (replacement,) = set(service.started_workers()) - {victim, survivor}
    assert replacement in _children(service.pid)
    second_sockets = service.wait_for_listening_workers(2)
    assert set(second_sockets) == {survivor, replacement}
    assert second_sockets[survivor] == first_sockets[survivor]
    assert service.answers_on_fresh_connections(40) == [200] * 40
    assert service.process.poll() is None, service.output()
    assert "failed while starting" not in service.output()

    assert service.stop() == 0


@needs_children_file
def test_sigterm_stops_the_supervisor_and_every_worker(start_service: StartService) -> None:
    # The operator stops the service (systemd sends SIGTERM to the main process only).
    service = start_service(2)
    service.wait_until_ready()
    workers = set(service.wait_for_listening_workers(2))
    everything_it_started = _children(service.pid)
    assert workers <= everything_it_started

    service.process.send_signal(signal.SIGTERM)
    status = service.process.wait(timeout=DEADLINE_S)

    assert status == 0, service.output()
    _wait_for(
        "every process the supervisor started to exit",
        lambda: all(_is_gone(pid) for pid in everything_it_started),
    )
    assert _listening_inodes(service.port) == set()
    assert "exited with code" not in service.output()  # a stop is not reported as a crash


@needs_children_file
def test_a_worker_that_dies_while_starting_stops_the_service_with_status_1(
    start_service: StartService,
) -> None:
    # A worker that dies right after it was started would die again if restarted (a broken
    # deployment, say): the supervisor gives up and stops the whole service instead of looping.
    service = start_service(2)
    _wait_for("the first worker", lambda: len(service.started_workers()) >= 1)
    early = next(iter(service.started_workers()))
    os.kill(early, signal.SIGKILL)

    status = service.process.wait(timeout=DEADLINE_S)

    assert status == 1, service.output()
    output = service.output()
    assert f"worker {early} exited with code -9" in output
    assert "a worker failed while starting; stopping the service" in output
    assert len(service.started_workers()) == 2  # nothing was restarted
    _wait_for(
        "every worker to exit", lambda: all(_is_gone(pid) for pid in service.started_workers())
    )


def test_an_address_held_by_another_program_is_refused_with_status_2(
    clinic_site: ClinicSite,
) -> None:
    # Another program (no SO_REUSEPORT) already listens on the port the service is told to use.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen(8)
        port = int(squatter.getsockname()[1])

        refused = run_isotrack(
            ["serve", "--workers", "2", "--port", str(port)],
            clinic_site.env,
            clinic_site.home,
        )

    assert refused.returncode == 2, refused.stdout + refused.stderr
    message = " ".join(refused.stderr.split())  # Rich may wrap a long line
    assert f"cannot listen on 127.0.0.1:{port}" in message, refused.stderr
    assert "Address already in use" in message
    assert not WORKER_STARTED.search(refused.stdout + refused.stderr)


@needs_children_file
def test_a_second_service_on_a_port_already_served_is_refused(
    start_service: StartService,
) -> None:
    # A deployment starts the new version while the old one (maybe on another database) is
    # still running on the same port: the tills would be answered by either one at random.
    running = start_service(2)
    running.wait_until_ready()
    running.wait_for_listening_workers(2)

    second = start_service(2, running.port)
    _wait_for(
        "the second service to exit or to start its workers",
        lambda: second.process.poll() is not None or len(second.started_workers()) == 2,
    )

    assert second.process.poll() == 2, second.output()
    message = " ".join(second.output().split())
    assert f"cannot listen on 127.0.0.1:{running.port}" in message


@needs_children_file
def test_port_0_gives_every_worker_the_same_free_port(start_service: StartService) -> None:
    # A test rig asks for any free port: both workers must serve the one port reported.
    service = start_service(2, 0)
    chosen = int(service.wait_for_line(r"listening on port (\d+)").group(1))
    service.port, service.base = chosen, f"http://127.0.0.1:{chosen}"

    service.wait_until_ready()

    assert chosen != 0
    assert len(service.wait_for_listening_workers(2)) == 2
