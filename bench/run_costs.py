"""What one run and one open stream cost our server, in figures that stay put on a busy machine:
CPU time per run, SQLite statements and commits per run, memory per open stream.

    .venv/bin/python bench/run_costs.py [--runs 200] [--streams 500] [--hold 30]

Starts our server (``overhead_serve.py --diagnostics``: the bench graph, SQLite records and
checkpoints in a temporary folder) and reads its counters (``_serve_diagnostics.py``) around
each phase:

- ``/runs/wait`` and ``/runs/stream`` (stateless), one run at a time: the server process's CPU
  time per run (all its threads; ``time.process_time``, which other processes on the machine
  do not inflate the way they inflate wall time), and the statements and commits each SQLite
  file saw per run (SQLite's trace callback: every statement, BEGIN and COMMIT included).
- ``--streams`` streams of runs that wait ``--hold`` seconds in their first node, held open at
  once: the server's resident memory per open stream, then again with tracemalloc running,
  which gives the Python allocations each open stream keeps alive and where they were made.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(1, str(Path(__file__).resolve().parents[1]))

import _overhead_scenarios as sc
from _overhead_http import Connection
from _overhead_servers import Server, start_ours

MODELS = {"scripted": "scripted/bench", "fake": "bench/fake"}
TOP_SITES = 25
TRACED_STREAMS = 200


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--model", choices=MODELS, default="scripted")
    parser.add_argument("--runs", type=int, default=200, help="runs per kind (wait, stream)")
    parser.add_argument("--streams", type=int, default=500, help="streams held open at once")
    parser.add_argument("--hold", type=float, default=30.0, help="seconds each stream is held")
    parser.add_argument("--workdir", type=Path, help="keep the server's data and log here")
    return parser.parse_args()


async def diagnostics(server: Server, **params: str) -> dict[str, Any]:
    """The server's counters (``_serve_diagnostics.py``); ``params`` drive tracemalloc."""
    query = "&".join(f"{key}={value}" for key, value in params.items())
    connection = server.connect()
    try:
        response = await connection.request("GET", f"/bench/diagnostics?{query}")
    finally:
        await connection.close()
    return response.json()  # type: ignore[return-value]


@dataclass(frozen=True)
class RunCost:
    """What one run cost the server, averaged over the runs measured together."""

    cpu_ms: float
    counts: dict[str, float]  # SQLite statements and commits per run, by database file


OneRun = Callable[[Connection], Awaitable[None]]


async def measure(server: Server, runs: int, one: OneRun) -> RunCost:
    """``runs`` runs one at a time on one connection, between two readings of the counters."""
    connection = server.connect()
    try:
        before = await diagnostics(server)
        for _ in range(runs):
            await one(connection)
        after = await diagnostics(server)
    finally:
        await connection.close()
    # The diagnostics request itself runs no SQL; its CPU is ~1/runs of a run: negligible.
    return RunCost(
        cpu_ms=(after["cpu_seconds"] - before["cpu_seconds"]) / runs * 1000,
        counts={
            key: (after["counts"].get(key, 0) - before["counts"].get(key, 0)) / runs
            for key in sorted(after["counts"])
        },
    )


def run_kinds() -> dict[str, OneRun]:
    """One stateless run of the bench graph, by kind: ``wait`` and ``stream``."""
    wait_body = sc.run_body()
    stream_body = sc.run_body() | {"stream_mode": ["values", "updates"]}

    async def wait(connection: Connection) -> None:
        await connection.request("POST", "/runs/wait", wait_body)

    async def stream(connection: Connection) -> None:
        names = [
            event.name async for event in connection.events("POST", "/runs/stream", stream_body)
        ]
        if "error" in names or "values" not in names:
            raise RuntimeError(f"unexpected events: {names}")

    return {"wait": wait, "stream": stream}


async def _runs(server: Server, runs: int) -> None:
    kinds = run_kinds()
    for _ in range(10):
        await kinds["wait"](server.connect())
    for kind, one in kinds.items():
        cost = await measure(server, runs, one)
        print(f"  POST /runs/{kind}, {runs} runs one at a time: CPU {cost.cpu_ms:.2f} ms/run")
        for key, value in cost.counts.items():
            if value:
                print(f"    {key}: {value:.1f} per run")


async def _hold(
    server: Server,
    count: int,
    hold: float,
    at_peak: Callable[[int], Awaitable[None]],
    *,
    opening: int = 64,
) -> None:
    """Open ``count`` streams, at most ``opening`` at a time, call ``at_peak`` with how many
    are open once every run has had time to reach its first node, then read each stream to
    its end (streams still open a minute after their hold are reported and dropped)."""
    gate = asyncio.Semaphore(opening)
    opened = asyncio.Event()
    open_now = 0
    failures: list[str] = []

    async def one() -> None:
        nonlocal open_now
        connection = server.connect()
        try:
            async with gate:
                events = connection.events("POST", "/runs/stream", sc.run_body(hold_seconds=hold))
                await anext(events)
                open_now += 1
                if open_now + len(failures) == count:
                    opened.set()
            names = [event.name async for event in events]
            if "values" not in names or "error" in names:
                failures.append(f"unexpected events: {names[:5]}")
        except Exception as exc:  # a bench reports failures instead of stopping at the first
            failures.append(f"{type(exc).__name__}: {exc}"[:200])
            if open_now + len(failures) == count:
                opened.set()
        finally:
            await connection.close()

    streams = [asyncio.create_task(one()) for _ in range(count)]
    started = time.perf_counter()
    try:
        await asyncio.wait_for(opened.wait(), timeout=hold)
    except TimeoutError:
        print(f"    only {open_now} of {count} streams opened within {hold:.0f} s")
    if time.perf_counter() - started > hold - 5:
        print(f"    (opening took {time.perf_counter() - started:.0f} s of the {hold:.0f} s hold)")
    await asyncio.sleep(2)  # every run past its metadata event and into its first node
    await at_peak(open_now)
    _, stuck = await asyncio.wait(streams, timeout=hold + 60)
    for stream in stuck:
        stream.cancel()
    if stuck:
        print(f"    {len(stuck)} streams had not ended a minute after their hold")
    if failures:
        print(f"    {len(failures)} streams failed; first: {failures[0]}")


async def _memory(server: Server, count: int, hold: float, workdir: Path) -> None:
    await asyncio.sleep(1)
    rss_before = server.rss_bytes()
    tasks_before = (await diagnostics(server))["tasks"]

    async def rss(open_now: int) -> None:
        grown = server.rss_bytes() - rss_before
        tasks = (await diagnostics(server))["tasks"] - tasks_before
        print(
            f"  resident memory: {grown / open_now / 1024:.1f} KB per open stream ({open_now} "
            f"open); asyncio tasks: {tasks / open_now:.1f} per open stream"
        )

    await _hold(server, count, hold, rss)
    # tracemalloc slows the server many times over: fewer streams, opened more gently, held
    # longer.
    traced_count = min(count, TRACED_STREAMS)
    snapshot_path = workdir / "held.tracemalloc"
    await diagnostics(server, trace="start")

    async def traced(open_now: int) -> None:
        await diagnostics(server, trace="snapshot", path=str(snapshot_path))
        # Traced, the server runs many times slower: stop before the held runs go on.
        await diagnostics(server, trace="stop")
        _print_traces(snapshot_path, open_now)

    try:
        await _hold(server, traced_count, hold * 2, traced, opening=16)
    finally:
        await diagnostics(server, trace="stop")


def _print_traces(path: Path, open_now: int) -> None:
    snapshot = tracemalloc.Snapshot.load(str(path)).filter_traces(
        # Source lines cached for tracebacks are kept once per process, not per stream.
        [
            tracemalloc.Filter(False, tracemalloc.__file__),
            tracemalloc.Filter(False, "*/linecache.py"),
        ]
    )
    total = sum(stat.size for stat in snapshot.statistics("filename"))
    print(
        f"  Python allocations alive (tracemalloc): {total / open_now / 1024:.1f} KB per open "
        f"stream ({open_now}); by file, then the largest sites:"
    )
    for stat in snapshot.statistics("filename")[:12]:
        where = _short(stat.traceback[0].filename)
        print(f"    {stat.size / open_now:8.0f} B  {stat.count / open_now:5.1f} blocks  {where}")
    print("  largest allocation sites (innermost frame first, then the project's frame):")
    for stat in snapshot.statistics("traceback")[:TOP_SITES]:
        frames = [f"{_short(f.filename)}:{f.lineno}" for f in reversed(stat.traceback)]
        ours = next((f for f in frames[1:] if not f.startswith(("site-packages", "python"))), "")
        print(
            f"    {stat.size / open_now:8.0f} B  {stat.count / open_now:5.1f} blocks  "
            f"{frames[0]}  <- {ours or frames[min(1, len(frames) - 1)]}"
        )


def _short(filename: str) -> str:
    for marker in ("site-packages/", "lib/python3."):
        if marker in filename:
            rest = filename.split(marker, 1)[1]
            return ("site-packages/" if marker == "site-packages/" else "python/") + rest
    root = str(Path(__file__).resolve().parents[1]) + "/"
    return filename.removeprefix(root)


async def main() -> None:
    args = _arguments()
    print(
        f"{' '.join([Path(sys.executable).name, *sys.argv])}\n"
        f"model {MODELS[args.model]}, load average {os.getloadavg()}"
    )
    with tempfile.TemporaryDirectory(prefix="crm-agents-costs-") as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        server = start_ours(workdir, model=MODELS[args.model], diagnostics=True)
        try:
            await server.wait_ready()
            print("Per run (stateless, no checkpoint kept afterwards):")
            await _runs(server, args.runs)
            print(f"Held streams ({args.streams}, each run waiting {args.hold:.0f} s):")
            await _memory(server, args.streams, args.hold, workdir)
        finally:
            server.stop()
    print(f"load average at the end {os.getloadavg()}")


if __name__ == "__main__":
    started = time.monotonic()
    asyncio.run(main())
    print(f"(took {time.monotonic() - started:.0f} s)")
