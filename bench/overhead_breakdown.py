"""Where a run's cost goes, without HTTP: the bench graph bare, then run through our runtime's
executor (stateless runs, as ``/runs/wait`` makes them) with each checkpointer.

    .venv/bin/python bench/overhead_breakdown.py [--runs 200] [--model scripted|fake]

Prints wall time and CPU time (all threads of this process) per run, at 1 and at 50 runs in
flight. CPU per run is what bounds throughput: one process executes Python on one core. The
checkpointer variants: SQLite as the server opens it; SQLite with ``synchronous=NORMAL``
(no fsync per commit in WAL mode); LangGraph's in-memory saver (what ``langgraph dev`` uses).
A diagnostic for ``overhead.py``'s figures, not a comparison with a peer.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

sys.path.insert(1, str(Path(__file__).resolve().parents[1]))

MODELS = {"scripted": "scripted/bench", "fake": "bench/fake"}
INPUT = {"messages": [{"role": "user", "content": "What is the battery life of the VitaScan P12?"}]}


async def _per_run(label: str, one: Callable[[], Awaitable[Any]], runs: int, flight: int) -> None:
    for _ in range(10):
        await one()
    gate = asyncio.Semaphore(flight)

    async def limited() -> None:
        async with gate:
            await one()

    wall, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(limited() for _ in range(runs)))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(
        f"  {label:36s} {flight:3d} in flight: {runs / wall:6.1f} runs/s, "
        f"wall {wall / runs * 1000:5.1f} ms/run, CPU {cpu / runs * 1000:5.1f} ms/run",
        flush=True,
    )


def _checkpointer_variant(name: str) -> Callable[[Any], Any] | None:
    """A replacement for the runtime's ``open_checkpointer``, or None to keep the server's."""
    if name == "sqlite":
        return None
    if name == "memory":
        from langgraph.checkpoint.memory import InMemorySaver

        @asynccontextmanager
        async def in_memory(_settings: Any) -> AsyncIterator[Any]:
            yield InMemorySaver()

        return in_memory
    from runtime.checkpoints import open_checkpointer

    @asynccontextmanager
    async def sqlite_normal(settings: Any) -> AsyncIterator[Any]:
        async with open_checkpointer(settings) as saver:
            await saver.conn.execute("PRAGMA synchronous=NORMAL")
            yield saver

    return sqlite_normal


async def _executor_runs(variant: str, runs: int) -> None:
    from overhead_graph import GRAPH_ID, SPEC

    import runtime.agent_runtime as agent_runtime
    from core.settings import Settings
    from runtime.run_request import RunRequest

    replacement = _checkpointer_variant(variant)
    original = agent_runtime.open_checkpointer
    if replacement is not None:
        # The runtime opens its checkpointer through this module-level name: a bench-only seam.
        agent_runtime.open_checkpointer = replacement
    try:
        with tempfile.TemporaryDirectory(prefix="crm-agents-breakdown-") as data:
            async with agent_runtime.open_agent_runtime(
                Settings(data_dir=Path(data)),
                graphs={GRAPH_ID: SPEC},
                services_factory=lambda _: object(),
            ) as runtime:
                request = RunRequest(assistant_id=GRAPH_ID, input=INPUT)

                async def one() -> None:
                    started = await runtime.executor.start(request, thread_id=None)
                    await started.outcome

                for flight in (1, 50):
                    await _per_run(f"executor, {variant} checkpoints", one, runs, flight)
    finally:
        agent_runtime.open_checkpointer = original


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--model", choices=MODELS, default="scripted")
    args = parser.parse_args()
    os.environ["CRM_AGENTS_MODEL"] = MODELS[args.model]  # read by overhead_graph via Settings
    from overhead_graph import bench_model, build_bench_graph

    print(f"model {MODELS[args.model]}, {args.runs} runs per line, load average {os.getloadavg()}")
    graph = build_bench_graph(model=bench_model())
    for flight in (1, 50):
        await _per_run(
            "graph alone (no checkpointer)", lambda: graph.ainvoke(INPUT), args.runs, flight
        )
    for variant in ("sqlite", "sqlite-normal", "memory"):
        await _executor_runs(variant, args.runs)


if __name__ == "__main__":
    asyncio.run(main())
