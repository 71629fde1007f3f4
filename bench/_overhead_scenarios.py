"""The measurements, the same for both servers; every loop is bounded in count and in time."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from _overhead_http import Connection, HttpError
from _overhead_servers import Server

QUESTION = "What is the battery life of the VitaScan P12?"
_FAILURES = (HttpError, OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError)


def run_body(*, hold_seconds: float = 0.0, durability: str | None = None) -> dict[str, Any]:
    """A stateless run of the bench graph on one question."""
    body: dict[str, Any] = {
        "assistant_id": "bench",
        "input": {"messages": [{"role": "user", "content": QUESTION}]},
    }
    if hold_seconds:
        body["input"]["hold_seconds"] = hold_seconds
    if durability:
        body["durability"] = durability
    return body


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) by linear interpolation; NaN for no values."""
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=1000, method="inclusive")[max(0, int(q * 1000) - 1)]


@dataclass
class Load:
    """Latencies (seconds) of the requests that succeeded, errors, and the wall time."""

    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    elapsed: float = 0.0

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    def p(self, q: float) -> float:
        return percentile(self.latencies, q)


async def _bounded_clients(
    clients: int,
    count: int,
    budget: float,
    one: Callable[[Connection], Awaitable[float]],
    server: Server,
) -> Load:
    """``clients`` loops, each on its own keep-alive connection, doing up to ``count``
    requests in total, stopping at the first request that starts after ``budget`` seconds."""
    load = Load()
    remaining = count
    started = time.perf_counter()
    deadline = started + budget

    async def client() -> None:
        nonlocal remaining
        connection = server.connect()
        try:
            while remaining > 0 and time.perf_counter() < deadline:
                remaining -= 1
                try:
                    load.latencies.append(await one(connection))
                except _FAILURES as exc:
                    load.errors.append(f"{type(exc).__name__}: {exc}"[:300])
                    await connection.close()
        finally:
            await connection.close()

    await asyncio.gather(*(client() for _ in range(clients)))
    load.elapsed = time.perf_counter() - started
    return load


async def runs_wait(
    server: Server, *, clients: int, count: int, budget: float, durability: str | None
) -> Load:
    """``POST /runs/wait`` (stateless): latency of a whole 3-node run, and runs per second."""
    body = run_body(durability=durability)

    async def one(connection: Connection) -> float:
        begin = time.perf_counter()
        response = await connection.request("POST", "/runs/wait", body)
        took = time.perf_counter() - begin
        values = response.json()
        if not isinstance(values, dict) or not values.get("words"):
            raise HttpError(f"unexpected run output: {response.body[:200]!r}")
        return took

    return await _bounded_clients(clients, count, budget, one, server)


async def first_events(
    server: Server, *, count: int, budget: float, durability: str | None
) -> tuple[Load, Load]:
    """``POST /runs/stream`` one at a time: time to the first event, and to the stream's end."""
    body = run_body(durability=durability) | {"stream_mode": ["values", "updates"]}
    to_end = Load()

    async def one(connection: Connection) -> float:
        begin = time.perf_counter()
        first: float | None = None
        names = []
        async for event in connection.events("POST", "/runs/stream", body):
            first = first if first is not None else event.at - begin
            names.append(event.name)
        if first is None or names[0] != "metadata" or "error" in names or "values" not in names:
            raise HttpError(f"unexpected events: {names}")
        to_end.latencies.append(time.perf_counter() - begin)
        return first

    first = await _bounded_clients(1, count, budget, one, server)
    to_end.elapsed = first.elapsed
    return first, to_end


@dataclass
class Streams:
    """How many streams were open at once, and the server's memory before and at that peak."""

    requested: int
    peak_open: int = 0
    completed: int = 0
    errors: list[str] = field(default_factory=list)
    rss_before: int = 0
    # The memory sample taken when the most streams were open, and how many were.
    rss_open: int = 0
    sampled_open: int = 0
    ramp_seconds: float = 0.0

    @property
    def bytes_per_stream(self) -> float:
        if not self.sampled_open:
            return float("nan")
        return (self.rss_open - self.rss_before) / self.sampled_open


async def held_streams(
    server: Server, *, count: int, hold: float, ramp_budget: float, opening: int = 64
) -> Streams:
    """Open ``count`` streams of runs that wait ``hold`` seconds in their first node.

    A stream is open from its first event (``metadata``: the run is executing) to its end.
    At most ``opening`` are being opened at any moment; opening stops after ``ramp_budget``
    seconds. The server's memory is sampled while the streams are open; each stream must then
    end with the run's final values.
    """
    result = Streams(requested=count, rss_before=server.rss_bytes())
    body = run_body(hold_seconds=hold)
    gate = asyncio.Semaphore(opening)
    open_now = 0
    started = time.perf_counter()
    ramp_deadline = started + ramp_budget

    async def one() -> None:
        nonlocal open_now
        connection = server.connect()
        counted = False
        names: list[str] = []
        try:
            async with gate:
                if time.perf_counter() > ramp_deadline:
                    return
                events = connection.events("POST", "/runs/stream", body)
                first = await anext(events)
                names.append(first.name)
                open_now += 1
                counted = True
                result.peak_open = max(result.peak_open, open_now)
            async for event in events:
                names.append(event.name)
            if names[0] == "metadata" and "values" in names and "error" not in names:
                result.completed += 1
            else:
                result.errors.append(f"unexpected events: {names[:5]}")
        except (*_FAILURES, StopAsyncIteration) as exc:
            result.errors.append(f"{type(exc).__name__}: {exc}"[:300])
        finally:
            if counted:
                open_now -= 1
            await connection.close()

    async def sample() -> None:
        # Memory while the streams are open; the highest reading is kept.
        while time.perf_counter() < started + ramp_budget + hold:
            if open_now and open_now >= result.sampled_open:
                rss = server.rss_bytes()
                if open_now > result.sampled_open or rss > result.rss_open:
                    result.sampled_open, result.rss_open = open_now, rss
            if open_now >= count:
                result.ramp_seconds = result.ramp_seconds or time.perf_counter() - started
            await asyncio.sleep(0.5)

    sampler = asyncio.create_task(sample())
    await asyncio.wait_for(
        asyncio.gather(*(one() for _ in range(count))), timeout=ramp_budget + hold + 120
    )
    sampler.cancel()
    if not result.ramp_seconds:
        result.ramp_seconds = float("nan")
    return result


async def in_process(
    *,
    count: int,
    budget: float,
    data_dir: str | None,
    durability: str | None,
    concurrency: int = 1,
) -> Load:
    """The same graph invoked in this process, without a server: what the graph and the model
    cost by themselves; with ``data_dir``, with the SQLite checkpointer opened exactly as the
    server opens it (``runtime.checkpoints``) in that folder. ``concurrency`` runs in flight."""
    import uuid
    from contextlib import AsyncExitStack
    from pathlib import Path

    from overhead_graph import bench_model, build_bench_graph

    from core.settings import Settings
    from runtime.checkpoints import open_checkpointer

    body = run_body()["input"]
    load = Load()
    async with AsyncExitStack() as stack:
        saver = None
        if data_dir:
            settings = Settings(data_dir=Path(data_dir))
            saver = await stack.enter_async_context(open_checkpointer(settings))
        graph = build_bench_graph(model=bench_model(), checkpointer=saver)
        options = {"durability": durability} if durability else {}
        remaining = count
        started = time.perf_counter()

        async def runner() -> None:
            nonlocal remaining
            while remaining > 0 and time.perf_counter() - started < budget:
                remaining -= 1
                config = {"configurable": {"thread_id": str(uuid.uuid4())}}
                begin = time.perf_counter()
                await graph.ainvoke(body, config, **options)
                load.latencies.append(time.perf_counter() - begin)

        await asyncio.gather(*(runner() for _ in range(concurrency)))
        load.elapsed = time.perf_counter() - started
    return load
