"""An open-loop, fixed-rate HTTP load generator (the "wrk2" kind), in asyncio.

Requests start on a fixed schedule (rate per second) whatever the server does, so a slow
server cannot slow the load down. Each latency is measured from the request's *scheduled*
start, so time spent waiting for a free connection counts (no coordinated omission).
HTTP/1.1 keep-alive on up to `max_connections` sockets; each request carries one of the
given (path, cookie header) pairs in turn (logged-in members' session cookies).

`run(...)` returns one `Sample` per scheduled request; status 0 means no answer within the
timeout or a broken connection.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class Sample:
    """One request: scheduled start (seconds from the run's start), latency, status."""

    at: float
    latency_ms: float
    status: int
    path: str


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    def close(self) -> None:
        self.writer.close()


async def _read_response(conn: _Connection) -> tuple[int, bool]:
    """Read one response; return (status, keep the connection)."""
    head = await conn.reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            key, _, value = line.partition(":")
            headers[key.strip().lower()] = value.strip().lower()
    if "content-length" in headers:
        await conn.reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding") == "chunked":
        while True:
            size = int((await conn.reader.readline()).split(b";")[0], 16)
            await conn.reader.readexactly(size + 2)
            if size == 0:
                break
    else:
        await conn.reader.read()
        return status, False
    return status, headers.get("connection") != "close"


class _Pool:
    """Idle keep-alive connections, at most `limit` open at once."""

    def __init__(self, host: str, port: int, limit: int) -> None:
        self.host, self.port, self.limit = host, port, limit
        self.idle: deque[_Connection] = deque()
        self.open = 0
        self.freed = asyncio.Condition()

    async def get(self) -> _Connection:
        async with self.freed:
            while not self.idle and self.open >= self.limit:
                await self.freed.wait()
            if self.idle:
                return self.idle.popleft()
            self.open += 1
        try:
            reader, writer = await asyncio.open_connection(self.host, self.port)
        except OSError:
            await self.drop(None)
            raise
        return _Connection(reader, writer)

    async def put(self, conn: _Connection) -> None:
        async with self.freed:
            self.idle.append(conn)
            self.freed.notify()

    async def drop(self, conn: _Connection | None) -> None:
        if conn is not None:
            conn.close()
        async with self.freed:
            self.open -= 1
            self.freed.notify()

    def close(self) -> None:
        while self.idle:
            self.idle.popleft().close()


async def _one(
    pool: _Pool, path: str, cookie: str, timeout: float, scheduled: float, origin: float
) -> Sample:
    conn = None
    status = 0
    try:
        async with asyncio.timeout(timeout):
            conn = await pool.get()
            request = f"GET {path} HTTP/1.1\r\nHost: {pool.host}:{pool.port}\r\n"
            if cookie:
                request += f"Cookie: {cookie}\r\n"
            conn.writer.write((request + "\r\n").encode("latin-1"))
            await conn.writer.drain()
            status, keep = await _read_response(conn)
        if keep:
            await pool.put(conn)
        else:
            await pool.drop(conn)
    except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError, IndexError):
        status = 0
        if conn is not None:
            await pool.drop(conn)
    latency = (time.perf_counter() - scheduled) * 1000
    return Sample(scheduled - origin, latency, status, path)


async def _run(
    base_url: str,
    requests: list[tuple[str, str]],
    rate: float,
    duration: float,
    timeout: float,
    max_connections: int,
) -> list[Sample]:
    host, _, port = base_url.removeprefix("http://").partition(":")
    pool = _Pool(host, int(port or 80), max_connections)
    cycle = itertools.cycle(requests)
    origin = time.perf_counter()
    total = int(rate * duration)
    tasks = []
    for n in range(total):
        scheduled = origin + n / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        path, cookie = next(cycle)
        tasks.append(asyncio.create_task(_one(pool, path, cookie, timeout, scheduled, origin)))
    samples = await asyncio.gather(*tasks)
    pool.close()
    return list(samples)


def run(
    base_url: str,
    requests: list[tuple[str, str]],
    *,
    rate: float,
    duration: float,
    timeout: float = 10.0,
    max_connections: int = 256,
) -> list[Sample]:
    """Send `rate` GET requests a second for `duration` seconds, cycling over the given
    (path, cookie header) pairs ("" for no cookie)."""
    return asyncio.run(_run(base_url, requests, rate, duration, timeout, max_connections))
