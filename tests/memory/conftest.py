"""Memory fixtures: one store per test, embedded in tmp_path or on a real local Chroma server."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import chromadb
import httpx
import pytest
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import NotFoundError

from memory import HashingEmbeddingFunction, Memory
from memory.models import COLLECTIONS


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of a Chroma server started for this session (the CLI ships with chromadb)."""
    executable = shutil.which("chroma", path=str(Path(sys.executable).parent))
    if executable is None:
        pytest.skip("the chroma CLI is not installed next to this Python")
    port = _free_port()
    folder = tmp_path_factory.mktemp("chroma-server")
    log = (folder / "server.log").open("wb")
    process = subprocess.Popen(
        [
            executable,
            "run",
            "--path",
            str(folder / "data"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"chroma server did not start; see {folder / 'server.log'}")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def _wipe(url: str) -> None:
    port = int(url.rsplit(":", 1)[1])
    client = chromadb.HttpClient(
        host="127.0.0.1", port=port, settings=ChromaSettings(anonymized_telemetry=False)
    )
    for name in COLLECTIONS:
        try:
            client.delete_collection(name)
        except NotFoundError:
            pass


@pytest.fixture
def empty_server(chroma_server: str) -> str:
    """URL of the session's Chroma server with the memory's collections removed."""
    _wipe(chroma_server)
    return chroma_server


@pytest.fixture(params=["embedded", "server"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, object]:
    """Keyword arguments that open the same empty store: a tmp_path folder or a wiped server."""
    if request.param == "embedded":
        return {"path": tmp_path / "chroma"}
    return {"url": request.getfixturevalue("empty_server")}


@pytest.fixture
def memory(backend: dict[str, object]) -> Memory:
    """An empty memory with the fast hashing embedding, on each backend."""
    return Memory(embedding_function=HashingEmbeddingFunction(), **backend)  # type: ignore[arg-type]
