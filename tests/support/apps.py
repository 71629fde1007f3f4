"""The app under test built over the stand-in graphs, and served over real HTTP by uvicorn in a
background thread (for the SDK and webhook tests, which need a real socket)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from fastapi import FastAPI

from core.settings import Settings
from server import create_app
from tests.support.credentials import register_server
from tests.support.fake_graphs import graph_specs
from tests.support.run_graphs import RunServices, run_graph_specs


def make_app(settings: Settings, services: Any) -> FastAPI:
    """The app with the test graphs and ``services`` injected."""
    return create_app(settings, graphs=graph_specs(), services_factory=lambda _: services)


def make_runs_app(settings: Settings, services: RunServices) -> FastAPI:
    """The app with the run tests' graphs."""
    return create_app(settings, graphs=run_graph_specs(), services_factory=lambda _: services)


@contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free loopback port in a thread; yields its base URL
    (``tests.support.credentials.headers_for(url)`` authenticates as its admin key)."""
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
    url = f"http://127.0.0.1:{port}"
    if getattr(app.state, "services", None) is not None:
        # Our server (not a stand-in receiver such as a webhook's): it has keys to present.
        register_server(url, app)
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()
