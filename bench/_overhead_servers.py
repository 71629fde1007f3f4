"""The two servers under test, each in its own process on a loopback port: ours (uvicorn in the
project's .venv) and ``langgraph dev`` (in ``bench/.venv-peer``, created on first use so
that langgraph-cli never moves the project's pinned versions)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import venv
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

from _bench_key import key_headers
from _overhead_http import Connection, HttpError

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PEER_VENV = BENCH / ".venv-peer"
# The peer loads the same graph file, which reaches the model through our litellm gateway:
# the peer's venv gets the same litellm and langchain-litellm as ours (same model code path).
PEER_EXTRAS = ("litellm", "langchain-litellm", "pydantic-settings")
START_TIMEOUT = 120.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ensure_peer_venv(log: Path) -> Path:
    """``bench/.venv-peer`` with ``langgraph-cli[inmem]`` installed; its ``langgraph`` script."""
    script = PEER_VENV / "bin" / "langgraph"
    if script.exists():
        return script
    print(f"creating {PEER_VENV} (first use; installs langgraph-cli[inmem], a few minutes)")
    venv.EnvBuilder(with_pip=True).create(PEER_VENV)
    pins = [f"{name}=={version(name)}" for name in PEER_EXTRAS]
    with log.open("ab") as out:
        subprocess.run(
            [
                str(PEER_VENV / "bin" / "python"),
                "-m",
                "pip",
                "install",
                "--quiet",
                "langgraph-cli[inmem]",
                *pins,
            ],
            check=True,
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=1800,
        )
    return script


def peer_versions() -> dict[str, str]:
    """Versions of the peer's packages, read from its venv."""
    code = (
        "import json, importlib.metadata as m;"
        "print(json.dumps({p: m.version(p) for p in "
        "('langgraph-cli', 'langgraph-api', 'langgraph-runtime-inmem', 'langgraph')}))"
    )
    out = subprocess.run(
        [str(PEER_VENV / "bin" / "python"), "-c", code],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return dict(json.loads(out.stdout))


def _environment(model: str, data_dir: Path, root: Path = ROOT) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("CRM_AGENTS_")}
    env.update(
        {
            # The graph file imports our packages (core, llm, graphs) in both processes.
            "PYTHONPATH": str(root),
            "CRM_AGENTS_MODEL": model,
            "CRM_AGENTS_DATA_DIR": str(data_dir),
            # Both stay offline and quiet: no tracing, no analytics, no browser.
            "LANGSMITH_TRACING": "false",
            "LANGCHAIN_TRACING_V2": "false",
            "LANGGRAPH_CLI_NO_ANALYTICS": "1",
            "DO_NOT_TRACK": "1",
        }
    )
    return env


@dataclass
class Server:
    """A server process we started, on ``port``; stopped by its own process group id.
    ``headers``: what its clients send to be let in (our API key; the peer needs none)."""

    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path
    notes: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)

    def connect(self) -> Connection:
        """A new keep-alive connection of a client of this server."""
        return Connection(self.port, headers=self.headers)

    async def wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited at start:\n{self.log_tail()}")
            connection = Connection(self.port)
            try:
                await connection.request("GET", "/ok")
                return
            except (OSError, HttpError, asyncio.IncompleteReadError):
                await asyncio.sleep(0.25)
            finally:
                await connection.close()
        raise RuntimeError(
            f"{self.name} did not answer /ok in {START_TIMEOUT:.0f} s:\n{self.log_tail()}"
        )

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def rss_bytes(self) -> int:
        """Resident memory of the server process and its children."""
        return sum(_rss(pid) for pid in _tree(self.process.pid))

    def pause(self) -> None:
        """Stop the server's processes (SIGSTOP) while another server is measured, so that
        nothing it does in the background (timers, pollers, its own GC) takes CPU from it."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGSTOP)

    def resume(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGCONT)

    def stop(self) -> None:
        self.resume()
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=30)


def start_ours(
    workdir: Path, *, model: str, diagnostics: bool = False, checkout: Path | None = None
) -> Server:
    """Our server on a free port; ``diagnostics`` adds the counters of ``run_costs.py``;
    ``checkout``: serve another clone of the project, its code only (``_serve_checkout.py``).
    Its clients' API key is made in the data folder before the server starts."""
    port = free_port()
    data_dir = workdir / "ours-data"
    log = workdir / "ours.log"
    env = _environment(model, data_dir, checkout or ROOT)
    headers = key_headers(checkout or ROOT, env)
    launcher = [str(BENCH / "_serve_checkout.py"), str(checkout)] if checkout else []
    process = subprocess.Popen(
        [
            sys.executable,
            *(launcher or [str(BENCH / "overhead_serve.py")]),
            "--port",
            str(port),
            "--data-dir",
            str(data_dir),
            *(["--diagnostics"] if diagnostics else []),
        ],
        cwd=workdir,
        env=env,
        start_new_session=True,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    notes = {"checkpointer": "SQLite (AsyncSqliteSaver)"}
    return Server("ours", port, process, log, notes, headers)


def start_peer(workdir: Path, *, model: str, jobs: int) -> Server:
    script = ensure_peer_venv(workdir / "peer-install.log")
    port = free_port()
    peer_dir = workdir / f"peer-{jobs}"
    peer_dir.mkdir(parents=True, exist_ok=True)
    config = {
        "dependencies": [str(ROOT)],
        "graphs": {"bench": f"{BENCH / 'overhead_graph.py'}:graph"},
    }
    (peer_dir / "langgraph.json").write_text(json.dumps(config, indent=2))
    log = workdir / f"peer-{jobs}.log"
    command = [
        str(script),
        "dev",
        "--port",
        str(port),
        "--host",
        "127.0.0.1",
        "--n-jobs-per-worker",
        str(jobs),
        "--no-browser",
        "--no-reload",
        "--allow-blocking",
    ]
    process = subprocess.Popen(
        command,
        cwd=peer_dir,
        env=_environment(model, peer_dir / "data"),
        start_new_session=True,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    notes = {"checkpointer": "in-memory (langgraph dev)", "command": " ".join(command[1:])}
    return Server("langgraph dev", port, process, log, notes)


def _tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    found, pending = [], [root]
    while pending:
        pid = pending.pop()
        found.append(pid)
        pending.extend(children.get(pid, []))
    return found


def _rss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0
