"""Fixtures of the API tests: the app on a temporary database, reached through
``httpx.ASGITransport`` or over real HTTP from a uvicorn server in a background thread."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from core.settings import Settings
from server import create_app
from tests.support.apps import make_app, make_runs_app, serve
from tests.support.credentials import admin_headers
from tests.support.fake_graphs import FakeServices
from tests.support.run_graphs import RunServices


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", max_request_bytes=20_000)


@pytest.fixture
def services() -> FakeServices:
    return FakeServices()


@pytest.fixture
async def client(settings: Settings, services: FakeServices) -> AsyncIterator[httpx.AsyncClient]:
    """An in-process client with the app's admin key; the app's lifespan runs around it
    (ASGITransport does not)."""
    app = make_app(settings, services)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver", headers=admin_headers(app)
        ) as c:
            yield c


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
