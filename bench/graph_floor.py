"""What the bench graph holds by itself, without any server: resident memory per run waiting in
its first node, in a process of its own (``overhead.py`` runs it after the servers stop).

    .venv/bin/python bench/graph_floor.py --runs 2000 --hold 20 [--no-checkpointer]

Streams ``--runs`` runs of ``overhead_graph.py`` at once, each held ``--hold`` seconds in its
first node, with the stream modes the held-streams phase asks for (``values``, ``updates``)
and, unless ``--no-checkpointer``, the SQLite checkpointer opened exactly as the server opens
it. Prints one JSON object: runs held, resident bytes per held run. This is the floor under
any server's memory per open stream of this graph: the server adds HTTP, SSE and its records.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import sys
import tempfile
import uuid
from contextlib import AsyncExitStack
from pathlib import Path

sys.path.insert(1, str(Path(__file__).resolve().parents[1]))

from core.offline import apply_offline_defaults

apply_offline_defaults()


def _rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


async def _held(runs: int, hold: float, checkpointer: bool) -> dict[str, float]:
    from overhead_graph import bench_model, build_bench_graph

    from core.settings import Settings
    from runtime.checkpoints import open_checkpointer

    async with AsyncExitStack() as stack:
        saver = None
        if checkpointer:
            folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="crm-agents-floor-"))
            saver = await stack.enter_async_context(
                open_checkpointer(Settings(data_dir=Path(folder)))
            )
        graph = build_bench_graph(model=bench_model(), checkpointer=saver)
        body = {"messages": [{"role": "user", "content": "What is the battery life?"}]}

        def config() -> dict[str, object]:
            return {"configurable": {"thread_id": str(uuid.uuid4())}}

        for _ in range(20):  # warm: imports, compiled statements, the model's first call
            await graph.ainvoke(body, config())
        gc.collect()
        before = _rss_bytes()
        holding = 0

        async def one() -> None:
            nonlocal holding
            counted = False
            stream = graph.astream(
                body | {"hold_seconds": hold}, config(), stream_mode=["values", "updates"]
            )
            async for _ in stream:
                if not counted:
                    counted, holding = True, holding + 1

        tasks = [asyncio.create_task(one()) for _ in range(runs)]
        while holding < runs and not any(task.done() for task in tasks):
            await asyncio.sleep(0.2)
        await asyncio.sleep(1.0)  # every run is now waiting in its first node
        during = _rss_bytes()
        await asyncio.gather(*tasks)
    return {"runs": holding, "bytes_per_run": (during - before) / max(holding, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--hold", type=float, default=20.0)
    parser.add_argument("--no-checkpointer", action="store_true")
    args = parser.parse_args()
    result = asyncio.run(_held(args.runs, args.hold, not args.no_checkpointer))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
