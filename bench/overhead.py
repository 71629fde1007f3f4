"""The server's own cost per run, side by side with ``langgraph dev`` serving the same graph.

    .venv/bin/python bench/overhead.py                 # both servers, the default sizes
    .venv/bin/python bench/overhead.py --only ours --streams 200 --budget 20   # a quick look

Both servers run the 3-node graph of ``overhead_graph.py`` with the scripted model (no latency),
each in its own process on a loopback port, driven by the same asyncio HTTP client from this
process: stateless ``/runs/wait`` at 1 and at N concurrent clients (runs/s, p50/p99),
``/runs/stream`` at 1 client (time to the first event), then many streams held open at once
(runs waiting in their first node) with the server's resident memory. The same graph invoked
in this process without a server is the baseline that "overhead" is measured against.
Ratios compare the two servers measured in this same run; nothing here is a pass/fail test.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

# This checkout's packages before any installed copy (the servers get the same PYTHONPATH).
sys.path.insert(1, str(Path(__file__).resolve().parents[1]))

import _overhead_scenarios as sc
from _overhead_servers import Server, peer_versions, start_ours, start_peer

MODELS = {"scripted": "scripted/bench", "fake": "bench/fake"}
TARGET_OVERHEAD_MS = 10.0
TARGET_THROUGHPUT_RATIO = 3.0
TARGET_STREAMS = 2000
TARGET_STREAM_KB = 50.0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "--model",
        choices=MODELS,
        default="scripted",
        help="scripted: our scripted model through the litellm gateway (default); "
        "fake: LangChain's in-memory fake model (no gateway)",
    )
    parser.add_argument("--only", choices=("ours", "peer"), help="measure one server only")
    parser.add_argument("--runs", type=int, default=200, help="runs at 1 client (and in-process)")
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients")
    parser.add_argument(
        "--concurrent-runs", type=int, default=1000, help="runs in total at --clients clients"
    )
    parser.add_argument(
        "--streams", type=int, default=TARGET_STREAMS, help="streams held open at once"
    )
    parser.add_argument(
        "--hold", type=float, default=150.0, help="seconds each held stream stays open"
    )
    parser.add_argument(
        "--ramp", type=float, default=120.0, help="seconds allowed to open the streams"
    )
    parser.add_argument(
        "--budget", type=float, default=60.0, help="time limit of each load phase, s"
    )
    parser.add_argument(
        "--durability",
        choices=("sync", "async", "exit"),
        help="sent with every run (default: each server's default, 'async')",
    )
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    parser.add_argument(
        "--workdir",
        type=Path,
        help="keep the servers' data and logs here (default: a temporary folder)",
    )
    return parser.parse_args()


def _versions(peer: bool) -> dict[str, str]:
    ours = {
        name: version(name)
        for name in (
            "crm-agents",
            "langgraph",
            "langgraph-checkpoint-sqlite",
            "fastapi",
            "uvicorn",
            "sse-starlette",
            "litellm",
        )
    }
    return {**ours, **({f"peer {k}": v for k, v in peer_versions().items()} if peer else {})}


def _describe(args: argparse.Namespace, versions: dict[str, str]) -> dict[str, Any]:
    return {
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores "
        f"({len(os.sched_getaffinity(0))} usable), load average {os.getloadavg()}",
        "python": platform.python_version(),
        "model": MODELS[args.model],
        "durability": args.durability or "server default (async)",
        "versions": versions,
    }


async def _warm_up(server: Server, durability: str | None) -> None:
    await sc.runs_wait(server, clients=1, count=5, budget=30, durability=durability)
    await sc.runs_wait(server, clients=5, count=20, budget=30, durability=durability)


def _load() -> str:
    return f"load average {os.getloadavg()[0]:.2f}"


async def _measure(servers: dict[str, Server], args: argparse.Namespace) -> dict[str, Any]:
    """Each phase on every server in turn, so that both see the same machine (other work on
    it changes over minutes), with the other server paused; the held streams last."""
    results: dict[str, dict[str, Any]] = {key: {"notes": s.notes} for key, s in servers.items()}
    for server in servers.values():
        await server.wait_ready()
        await _warm_up(server, args.durability)
    phases = [
        (
            "single",
            f"1 client, {args.runs} runs",
            lambda s: sc.runs_wait(
                s, clients=1, count=args.runs, budget=args.budget, durability=args.durability
            ),
        ),
        (
            "first",
            "time to first event",
            lambda s: sc.first_events(
                s, count=min(args.runs, 100), budget=args.budget, durability=args.durability
            ),
        ),
        (
            "many",
            f"{args.clients} clients, {args.concurrent_runs} runs",
            lambda s: sc.runs_wait(
                s,
                clients=args.clients,
                count=args.concurrent_runs,
                budget=args.budget,
                durability=args.durability,
            ),
        ),
        (
            "streams",
            f"{args.streams} streams held {args.hold:.0f} s",
            lambda s: sc.held_streams(s, count=args.streams, hold=args.hold, ramp_budget=args.ramp),
        ),
    ]
    for key, label, measure in phases:
        for name, server in servers.items():
            print(f"[{server.name}] {label} ({_load()}) ...", flush=True)
            others = [other for other in servers.values() if other is not server]
            for other in others:
                other.pause()
            try:
                outcome = await measure(server)
            finally:
                for other in others:
                    other.resume()
            if key == "first":
                results[name]["first"], results[name]["stream_end"] = outcome
            else:
                results[name][key] = outcome
    return results


def _ms(value: float) -> str:
    return f"{value * 1000:.1f} ms"


def _rows(results: dict[str, dict[str, Any]], clients: int) -> list[tuple[str, str, str, str]]:
    ours, peer = results.get("ours"), results.get("peer")
    rows: list[tuple[str, str, str, str]] = []

    def add(label: str, get: Any, fmt: Any, higher_is_better: bool) -> None:
        a = get(ours) if ours else None
        b = get(peer) if peer else None
        ratio = ""
        if a and b:
            ratio = f"{(a / b if higher_is_better else b / a):.2f}x"
        rows.append(
            (label, fmt(a) if a is not None else "-", fmt(b) if b is not None else "-", ratio)
        )

    add("runs/s, 1 client", lambda r: r["single"].per_second, lambda v: f"{v:.1f}", True)
    add("p50 latency, 1 client", lambda r: r["single"].p(0.5), _ms, False)
    add("p99 latency, 1 client", lambda r: r["single"].p(0.99), _ms, False)
    add(f"runs/s, {clients} clients", lambda r: r["many"].per_second, lambda v: f"{v:.1f}", True)
    add(f"p50 latency, {clients} clients", lambda r: r["many"].p(0.5), _ms, False)
    add(f"p99 latency, {clients} clients", lambda r: r["many"].p(0.99), _ms, False)
    add("time to first event, p50", lambda r: r["first"].p(0.5), _ms, False)
    add("time to first event, p99", lambda r: r["first"].p(0.99), _ms, False)
    add("stream to its end, p50", lambda r: r["stream_end"].p(0.5), _ms, False)
    add("streams open at once", lambda r: float(r["streams"].peak_open), lambda v: f"{v:.0f}", True)
    add("streams completed", lambda r: float(r["streams"].completed), lambda v: f"{v:.0f}", True)
    add(
        "memory per open stream",
        lambda r: r["streams"].bytes_per_stream,
        lambda v: f"{v / 1024:.1f} KB",
        False,
    )
    return rows


def _report(
    description: dict[str, Any],
    baseline: dict[str, sc.Load],
    results: dict[str, dict[str, Any]],
    clients: int,
    floor: dict[str, float],
) -> list[str]:
    lines = ["How it was run:"]
    lines += [f"  {key}: {value}" for key, value in description.items() if key != "versions"]
    lines += ["  versions: " + ", ".join(f"{k} {v}" for k, v in description["versions"].items())]
    for name, result in results.items():
        lines.append(f"  {name}: " + ", ".join(f"{k} {v}" for k, v in result["notes"].items()))
    lines.append("")
    lines.append("In-process baseline (same graph and model, no server):")
    for label, load in baseline.items():
        lines.append(
            f"  {label}: p50 {_ms(load.p(0.5))}, p99 {_ms(load.p(0.99))}, "
            f"{load.per_second:.1f} runs/s ({len(load.latencies)} runs)"
        )
    lines.append(
        f"  memory floor: the graph alone holds {floor['bytes_per_run'] / 1024:.1f} KB per run "
        f"waiting in its first node ({floor['runs']:.0f} runs, SQLite checkpointer as served, "
        "in a process of its own: bench/graph_floor.py)"
    )
    lines.append("")
    header = ("metric", "ours", "langgraph dev", "ours vs peer")
    table = [header, *_rows(results, clients)]
    widths = [max(len(row[i]) for row in table) for i in range(4)]
    for row in table:
        lines.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)))
    lines.append("")
    for name, result in results.items():
        errors = [
            *result["single"].errors,
            *result["first"].errors,
            *result["many"].errors,
            *result["streams"].errors,
        ]
        if errors:
            lines.append(f"{name}: {len(errors)} failed requests; first: {errors[0]}")
    lines += _targets(baseline, results, clients, floor)
    return lines


def _targets(
    baseline: dict[str, sc.Load],
    results: dict[str, dict[str, Any]],
    clients: int,
    floor: dict[str, float],
) -> list[str]:
    ours, peer = results.get("ours"), results.get("peer")
    if ours is None:
        return []
    lines = ["Targets:"]
    served = ours["single"].p(0.5)
    overhead = (served - baseline["bare"].p(0.5)) * 1000
    own = (served - baseline["SQLite checkpoints as served"].p(0.5)) * 1000
    lines.append(
        f"  p50 overhead per run at 1 client (server p50 - in-process p50, bare graph): "
        f"{overhead:.1f} ms (target <= {TARGET_OVERHEAD_MS:.0f} ms): "
        f"{'met' if overhead <= TARGET_OVERHEAD_MS else 'MISSED'}"
    )
    lines.append(
        f"    of which LangGraph's checkpointing (in-process p50 with the server's SQLite "
        f"checkpointer - bare): {overhead - own:.1f} ms; HTTP and our runtime: {own:.1f} ms"
    )
    if peer is not None:
        ratio = ours["many"].per_second / max(peer["many"].per_second, 1e-9)
        ceiling = baseline[f"bare, {clients} in flight"].per_second
        needed = TARGET_THROUGHPUT_RATIO * peer["many"].per_second
        lines.append(
            f"  throughput at {clients} clients vs langgraph dev: {ratio:.2f}x "
            f"(target >= {TARGET_THROUGHPUT_RATIO:.0f}x): "
            f"{'met' if ratio >= TARGET_THROUGHPUT_RATIO else 'MISSED'}"
        )
        lines.append(
            f"    {TARGET_THROUGHPUT_RATIO:.0f}x is {needed:.1f} runs/s; the graph alone, in this "
            f"process with no server and no checkpointer, did {ceiling:.1f} runs/s at "
            f"{clients} in flight ({'above' if ceiling >= needed else 'below'} the target)"
        )
    streams = ours["streams"]
    kb = streams.bytes_per_stream / 1024
    met = streams.peak_open >= TARGET_STREAMS and kb <= TARGET_STREAM_KB
    lines.append(
        f"  streams held: {streams.peak_open} at {kb:.1f} KB each "
        f"(target {TARGET_STREAMS} at <= {TARGET_STREAM_KB:.0f} KB): "
        f"{'met' if met else 'MISSED'}"
    )
    lines.append(
        f"    the graph alone holds {floor['bytes_per_run'] / 1024:.1f} KB per waiting run "
        "with the server's checkpointer (memory floor above)"
    )
    return lines


def _graph_floor(runs: int, model: str) -> dict[str, float]:
    """``graph_floor.py`` in a process of its own, as the servers run: its JSON result."""
    command = [sys.executable, str(Path(__file__).with_name("graph_floor.py"))]
    completed = subprocess.run(
        [*command, "--runs", str(runs), "--hold", "20"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "CRM_AGENTS_MODEL": model},
        timeout=600,
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _plain(results: dict[str, Any]) -> Any:
    if isinstance(results, dict):
        return {k: _plain(v) for k, v in results.items()}
    if isinstance(results, sc.Load | sc.Streams):
        data = asdict(results)
        if isinstance(results, sc.Load):
            data.update(per_second=results.per_second, p50=results.p(0.5), p99=results.p(0.99))
            data.pop("latencies")
        return data
    return results


async def main() -> None:
    args = _arguments()
    with tempfile.TemporaryDirectory(prefix="crm-agents-bench-") as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        model = MODELS[args.model]
        os.environ["CRM_AGENTS_MODEL"] = model  # the in-process baseline reads it like the servers
        servers: dict[str, Server] = {}
        try:
            if args.only != "peer":
                servers["ours"] = start_ours(workdir, model=model)
            if args.only != "ours":
                jobs = max(args.clients, args.streams)
                servers["peer"] = start_peer(workdir, model=model, jobs=jobs)
            results = await _measure(servers, args)
        finally:
            for server in servers.values():
                server.stop()
        print("[in-process] baseline ...", flush=True)
        baseline = {
            "bare": await sc.in_process(
                count=args.runs, budget=args.budget, data_dir=None, durability=args.durability
            ),
            "SQLite checkpoints as served": await sc.in_process(
                count=args.runs,
                budget=args.budget,
                data_dir=str(workdir / "baseline"),
                durability=args.durability,
            ),
            f"bare, {args.clients} in flight": await sc.in_process(
                count=args.concurrent_runs,
                budget=args.budget,
                data_dir=None,
                durability=args.durability,
                concurrency=args.clients,
            ),
        }
        print("[in-process] memory floor ...", flush=True)
        floor = _graph_floor(args.streams, model)
        description = _describe(args, _versions(peer=args.only != "ours"))
    lines = _report(description, baseline, results, args.clients, floor)
    print("\n".join(lines))
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "run": description,
                    "baseline": _plain(baseline),
                    "floor": floor,
                    "results": _plain(results),
                },
                indent=2,
                default=str,
            )
        )


if __name__ == "__main__":
    started = time.monotonic()
    asyncio.run(main())
    print(f"\n(benchmark took {time.monotonic() - started:.0f} s)")
