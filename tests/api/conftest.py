"""Fixtures of the API tests: the app on a temporary database, reached through
``httpx.ASGITransport`` or over real HTTP from a uvicorn server in a background thread."""

from __future__ import annotations

import gc
import socket
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from core.settings import Settings
from server import create_app

# The test graphs are shared with tests/runtime, whose folder is not on the path from here.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "runtime"))
from _runtime_test_graphs import FakeServices, graph_specs

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _runs_test_graphs import RunServices, run_graph_specs


@pytest.fixture(autouse=True)
def _collect_the_tests_garbage() -> Iterator[None]:
    """Collect each test's garbage before the next test's event loop starts.

    A langgraph-sdk client or stream a test leaves unclosed is otherwise finalised during a
    later test, whose event loop then reports "Event loop is closed" from the dead one's
    connection and fails that unrelated test.
    """
    yield
    gc.collect()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", max_request_bytes=20_000)


@pytest.fixture
def services() -> FakeServices:
    return FakeServices()


def make_app(settings: Settings, services: Any) -> FastAPI:
    """The app with the test graphs and ``services`` injected."""
    return create_app(settings, graphs=graph_specs(), services_factory=lambda _: services)


@pytest.fixture
async def client(settings: Settings, services: FakeServices) -> AsyncIterator[httpx.AsyncClient]:
    """An in-process client; the app's lifespan runs around it (ASGITransport does not)."""
    app = make_app(settings, services)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            yield c


@contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free loopback port in a thread; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="on", timeout_graceful_shutdown=5)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()


@pytest.fixture
def live_server(settings: Settings, services: FakeServices) -> Iterator[str]:
    with serve(make_app(settings, services)) as url:
        yield url


@pytest.fixture
def server_factory(settings: Settings) -> Callable[[Any], Any]:
    """Start further servers on the same data folder (restart tests)."""

    def start(services: Any) -> Any:
        return serve(make_app(settings, services))

    return start


@pytest.fixture
def run_services() -> RunServices:
    """Services of the run tests' graphs (``steps``, ``nested``, ``review`` and the shared ones)."""
    return RunServices()


def make_runs_app(settings: Settings, services: RunServices) -> FastAPI:
    """The app with the run tests' graphs."""
    return create_app(settings, graphs=run_graph_specs(), services_factory=lambda _: services)


@pytest.fixture
def runs_server(settings: Settings, run_services: RunServices) -> Iterator[str]:
    """The run tests' app over real HTTP on a loopback port."""
    with serve(make_runs_app(settings, run_services)) as url:
        yield url


@pytest.fixture
def serve_graphs(settings: Settings) -> Callable[..., Any]:
    """Serve chosen graphs over real HTTP: ``with serve_graphs(specs, services) as url``;
    ``settings=`` overrides the temporary-folder settings (e.g. a PostgreSQL database)."""

    def start(graphs: Any, services: Any, *, settings: Settings = settings) -> Any:
        return serve(create_app(settings, graphs=graphs, services_factory=lambda _: services))

    return start
