"""The first answer after a server start, with and without the start-up warm-up.

Starts ``crm-agents serve`` over a seeded data folder (``--data-dir``; seed one with
``CRM_AGENTS_DATA_DIR=... crm-agents seed --scale 0.1``), waits until ``/ok`` answers, gives the
server the same idle time a rep needs to open the page (``--idle``, or until ``/info`` says the
agents are ready when warming), then asks the supervisor three questions one after the other and
prints how long each full answer took. The client sends an API key made with ``crm-agents auth
create-key`` before the server starts (``_bench_key.py``). Run once with the warm-up (the
default) and once with ``CRM_AGENTS_WARM_UP=false``::

    .venv/bin/python bench/first_answer.py --data-dir /tmp/demo
    .venv/bin/python bench/first_answer.py --data-dir /tmp/demo --no-warm-up

Times depend on the machine's load; compare the two modes on the same machine.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from _bench_key import key_headers

ROOT = Path(__file__).resolve().parents[1]
# The same kind of question three times (the third repeats the first): the first pays for
# whatever is still cold, the others show the warm cost.
QUESTIONS = (
    "How long does the battery of the Cardiona M12 Bedside Monitor last?",
    "How long does the battery of the Cardiona T5 Transport Monitor last?",
    "How long does the battery of the Cardiona M12 Bedside Monitor last?",
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(url: str, *, until: float) -> None:
    while time.monotonic() < until:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{url} did not answer in time")


def _ready(base: str, headers: dict[str, str], *, until: float) -> float | None:
    """Seconds until /info says the agents are ready, or None when it never did in time."""
    started = time.monotonic()
    while time.monotonic() < until:
        try:
            info = httpx.get(f"{base}/info", headers=headers, timeout=30).json()
        except httpx.TimeoutException:  # a loaded machine: the model load competes for the GIL
            continue
        if info.get("agents_ready"):
            return time.monotonic() - started
        time.sleep(0.5)
    return None


def _ask(base: str, headers: dict[str, str], question: str) -> tuple[float, str]:
    """Seconds to the full answer of the supervisor, and the answer."""
    started = time.monotonic()
    response = httpx.post(
        f"{base}/runs/wait",
        json={
            "assistant_id": "supervisor",
            "input": {"messages": [{"role": "user", "content": question}]},
        },
        headers=headers,
        timeout=600,
    )
    response.raise_for_status()
    seconds = time.monotonic() - started
    values = response.json()
    if "__error__" in values or not values.get("messages"):
        raise SystemExit(f"the run failed: {str(values)[:500]}")
    return seconds, str(values["messages"][-1]["content"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--root", type=Path, default=ROOT, help="Source tree to serve.")
    parser.add_argument("--no-warm-up", action="store_true", help="CRM_AGENTS_WARM_UP=false")
    parser.add_argument(
        "--idle", type=float, default=10.0, help="Seconds between /ok and the first question."
    )
    args = parser.parse_args()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "CRM_AGENTS_DATA_DIR": str(args.data_dir), "PYTHONPATH": str(args.root)}
    env["CRM_AGENTS_WARM_UP"] = "false" if args.no_warm_up else "true"
    headers = key_headers(args.root, env)
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "server:create_app",
        "--factory",
        "--port",
        str(port),
    ]
    server = subprocess.Popen(
        command, cwd=args.root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    try:
        started = time.monotonic()
        _wait(f"{base}/ok", until=started + 120)
        up = time.monotonic() - started
        idle_until = time.monotonic() + args.idle
        ready = None if args.no_warm_up else _ready(base, headers, until=time.monotonic() + 300)
        time.sleep(max(0.0, idle_until - time.monotonic()))
        answers = [_ask(base, headers, question) for question in QUESTIONS]
    finally:
        server.terminate()
        server.wait(timeout=30)
    mode = "without warm-up" if args.no_warm_up else "with warm-up"
    warmed = f"{ready:.1f} s after /ok" if ready is not None else "not reported"
    print(f"{mode}: /ok after {up:.1f} s; agents ready {warmed}; idle {args.idle:.0f} s")
    for question, (seconds, answer) in zip(QUESTIONS, answers, strict=True):
        print(f"  {seconds:6.2f} s  {question}\n           {answer[:100]!r}")


if __name__ == "__main__":
    main()
