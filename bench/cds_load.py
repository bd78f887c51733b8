"""A small HTTP/1.1 load generator for the CDS Hooks benchmark (keep-alive raw sockets).

wrk and hey send the same request over and over; a CDS call needs a fresh signed JWT each
time (the service refuses a replayed ``jti``), so requests here come from a list prepared in
advance, each used once. Two modes: closed loop (N connections, each sends its next request
when the last one is answered) and open loop at a fixed rate (each request is due at its
scheduled time; latency counts from that time, so a slow server is not hidden by waiting).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class LoadResult:
    requests: int
    ok: int
    errors: int
    seconds: float
    latencies_ms: list[float]

    @property
    def per_second(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies_ms)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def _exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                    request: bytes) -> int:  # fmt: skip
    writer.write(request)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    if length:
        await reader.readexactly(length)
    return status


async def _closed(port: int, requests: Iterator[bytes], connections: int, seconds: float) -> (
    LoadResult
):  # fmt: skip
    latencies: list[float] = []
    counts = {"ok": 0, "errors": 0}
    end = time.perf_counter() + seconds

    async def connection() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while time.perf_counter() < end:
                request = next(requests, None)
                if request is None:
                    return
                started = time.perf_counter()
                status = await _exchange(reader, writer, request)
                latencies.append((time.perf_counter() - started) * 1000)
                counts["ok" if status < 300 else "errors"] += 1
        finally:
            writer.close()

    began = time.perf_counter()
    await asyncio.gather(*(connection() for _ in range(connections)))
    took = time.perf_counter() - began
    return LoadResult(len(latencies), counts["ok"], counts["errors"], took, latencies)


async def _open(port: int, requests: list[bytes], rate_per_s: float, pool: int) -> LoadResult:
    latencies: list[float] = []
    counts = {"ok": 0, "errors": 0}
    queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()
    began = time.perf_counter()

    async def connection() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while True:
                due, request = await queue.get()
                if not request:
                    return
                status = await _exchange(reader, writer, request)
                latencies.append((time.perf_counter() - due) * 1000)
                counts["ok" if status < 300 else "errors"] += 1
        finally:
            writer.close()

    workers = [asyncio.create_task(connection()) for _ in range(pool)]
    for n, request in enumerate(requests):
        due = began + n / rate_per_s
        pause = due - time.perf_counter()
        if pause > 0:
            await asyncio.sleep(pause)
        queue.put_nowait((due, request))
    for _ in workers:
        queue.put_nowait((0.0, b""))
    await asyncio.gather(*workers)
    took = time.perf_counter() - began
    return LoadResult(len(latencies), counts["ok"], counts["errors"], took, latencies)


def closed_loop(port: int, requests: Iterator[bytes], connections: int, seconds: float) -> (
    LoadResult
):  # fmt: skip
    return asyncio.run(_closed(port, requests, connections, seconds))


def open_loop(port: int, requests: list[bytes], rate_per_s: float, pool: int = 32) -> LoadResult:
    return asyncio.run(_open(port, requests, rate_per_s, pool))


def http_request(port: int, method: str, path: str, body: bytes = b"",
                 headers: dict[str, str] | None = None) -> bytes:  # fmt: skip
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: keep-alive"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    if body or method == "POST":
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body
