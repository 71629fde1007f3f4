"""Time to the first streamed token of an answer, through the real server with the embedded model.

Seeds a demo CRM into a temporary folder, starts ``uvicorn server:app`` of a source tree (this
one by default, or ``--root`` another checkout, e.g. ``git worktree add /tmp/base <commit>``), and
asks a few questions two ways, one at a time after a warm-up question:

- the OpenAI-compatible stream (``POST /v1/chat/completions`` with ``stream: true``): time to the
  first non-empty ``delta.content``;
- the LangGraph server stream (``POST /runs/stream``, ``stream_mode: ["messages-tuple"]``, no
  ``stream_subgraphs``): time to the first ``AIMessageChunk`` with text.

The client sends an API key made with ``crm-agents auth create-key`` after seeding, before the
server starts (``_bench_key.py``; none for a tree from before sign-in).

Each line prints the time to the first token, the time to the end of the stream, the streamed
characters, and whether what streamed stands: ``kept`` when the final answer starts with the
streamed text, ``REPLACED`` when it does not (the OpenAI stream then sends a ``---`` separator
and the final answer; the runs stream's last ``values`` hold another answer). A stream that
ends without any token prints ``none``. Run by hand::

    .venv/bin/python bench/first_token.py                  # this tree, the default model
    .venv/bin/python bench/first_token.py --root /tmp/base # another checkout, same venv

Times depend on the machine's load (printed); compare before and after on the same machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from _bench_key import key_headers

ROOT = Path(__file__).resolve().parents[1]
# What the OpenAI-compatible stream sent before a final answer that replaced the streamed text.
REPLACED = "\n\n---\n\n"

# (path, assistant, question): the technical Q&A agent alone, and the supervisor routing to
# each kind of specialist.
QUESTIONS: tuple[tuple[str, str, str], ...] = (
    (
        "openai",
        "technical_qa",
        "How long does the battery of the Cardiona M12 Bedside Monitor last?",
    ),
    ("openai", "supervisor", "How long does the battery of the Cardiona M12 Bedside Monitor last?"),
    (
        "runs",
        "technical_qa",
        "Which regulatory approvals does the VitaScan P12 Portable Ultrasound hold?",
    ),
    (
        "runs",
        "supervisor",
        "Which regulatory approvals does the VitaScan P12 Portable Ultrasound hold?",
    ),
    (
        "runs",
        "supervisor",
        "Which buying stage is Foshan Chest Hospital in, and how hot is the lead?",
    ),
    (
        "runs",
        "supervisor",
        "What budget does Guangzhou Central Hospital have for equipment this year?",
    ),
)
WARM_UP = ("openai", "technical_qa", "What is the weight of the Cardiona T5 Transport Monitor?")


@dataclass
class Timing:
    path: str
    assistant: str
    question: str
    first_token: float | None
    total: float
    streamed_chars: int
    stands: bool = True

    def line(self) -> str:
        first = f"{self.first_token:6.2f} s" if self.first_token is not None else "  none  "
        return (
            f"{self.path:6} {self.assistant:12} first token {first}  end {self.total:6.2f} s"
            f"  {self.streamed_chars:5d} chars  {'kept' if self.stands else 'REPLACED'}"
            f"  {self.question}"
        )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(root: Path, data_dir: Path, model: str | None) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(root)
    env["CRM_AGENTS_DATA_DIR"] = str(data_dir)
    if model:
        env["CRM_AGENTS_MODEL"] = model
    return env


def _seed(root: Path, env: dict[str, str], scale: float) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", "from cli.main import app; app()", "seed", "--scale", str(scale)],
        cwd=root,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        timeout=1800,
    )
    return time.perf_counter() - started


def _start(root: Path, env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    out = log.open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "server:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        cwd=root,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited; see {log}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/ok", timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(1)
    process.terminate()
    raise RuntimeError(f"the server did not start in 300 s; see {log}")


def _openai(client: httpx.Client, assistant: str, question: str) -> Timing:
    body = {"model": assistant, "stream": True, "messages": [{"role": "user", "content": question}]}
    started = time.perf_counter()
    first: float | None = None
    chars = 0
    text = ""
    with client.stream("POST", "/v1/chat/completions", json=body) as response:
        response.raise_for_status()
        for line in response.iter_lines():
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            chunk = json.loads(line[6:])
            for choice in chunk.get("choices") or []:
                delta = (choice.get("delta") or {}).get("content") or ""
                if delta and first is None:
                    first = time.perf_counter() - started
                chars += len(delta)
                text += delta
    total = time.perf_counter() - started
    return Timing("openai", assistant, question, first, total, chars, REPLACED not in text)


def _runs(client: httpx.Client, assistant: str, question: str) -> Timing:
    body = {
        "assistant_id": assistant,
        "input": {"messages": [{"role": "user", "content": question}]},
        "stream_mode": ["messages-tuple", "values"],
    }
    started = time.perf_counter()
    first: float | None = None
    chars = 0
    event = ""
    streamed, final = "", ""
    with client.stream("POST", "/runs/stream", json=body) as response:
        response.raise_for_status()
        for line in response.iter_lines():
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: ") and event == "values":
                messages = json.loads(line[6:]).get("messages") or []
                answers = [m.get("content") for m in messages if m.get("type") == "ai"]
                final = answers[-1] if answers and isinstance(answers[-1], str) else final
            elif line.startswith("data: ") and event.split("|")[0] == "messages":
                message = json.loads(line[6:])[0]
                text = message.get("content") if message.get("type") == "AIMessageChunk" else ""
                if isinstance(text, str) and text:
                    if first is None:
                        first = time.perf_counter() - started
                    chars += len(text)
                    streamed += text
    total = time.perf_counter() - started
    return Timing("runs", assistant, question, first, total, chars, final.startswith(streamed))


def _ask(client: httpx.Client, path: str, assistant: str, question: str) -> Timing:
    return (_openai if path == "openai" else _runs)(client, assistant, question)


def _commit(root: Path) -> str:
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        )
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        return out.stdout.strip() + (" + uncommitted changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="Source tree to serve.")
    parser.add_argument("--model", default=None, help="litellm model (default: the tree's own).")
    parser.add_argument("--scale", type=float, default=0.3, help="Demo size to seed.")
    parser.add_argument("--repeat", type=int, default=1, help="Times to ask each question.")
    args = parser.parse_args()
    root = args.root.resolve()
    print(
        f"bench/first_token.py: tree {root} (commit {_commit(root)}), model "
        f"{args.model or 'the default'}, demo scale {args.scale}, python {platform.python_version()},"
        f" {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}"
    )
    with tempfile.TemporaryDirectory(prefix="first-token-") as folder:
        data_dir = Path(folder) / "data"
        env = _env(root, data_dir, args.model)
        print(f"seeded the demo in {_seed(root, env, args.scale):.0f} s")
        headers = key_headers(root, env)
        port = _free_port()
        server = _start(root, env, port, Path(folder) / "server.log")
        try:
            with httpx.Client(
                base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=600
            ) as client:
                warm = _ask(client, *WARM_UP)
                print(f"warm-up: {warm.line()}")
                timings = [_ask(client, *item) for _ in range(args.repeat) for item in QUESTIONS]
        finally:
            server.terminate()
            server.wait(timeout=30)
    for timing in timings:
        print(timing.line())
    firsts = [t.first_token for t in timings if t.first_token is not None]
    print(
        f"streams with a token: {len(firsts)} of {len(timings)}; median first token "
        f"{sorted(firsts)[len(firsts) // 2]:.2f} s"
        if firsts
        else "no stream carried a token",
    )
    print(f"load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
