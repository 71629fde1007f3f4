"""Fixtures of the runtime tests: an async backend, settings on a temporary folder, a runtime."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from core.settings import Settings
from runtime.agent_runtime import AgentRuntime, open_agent_runtime
from tests.support.fake_graphs import FakeServices, graph_specs


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


@pytest.fixture
def services() -> FakeServices:
    return FakeServices()


@pytest.fixture
async def runtime(settings: Settings, services: FakeServices) -> AsyncIterator[AgentRuntime]:
    async with open_agent_runtime(
        settings, graphs=graph_specs(), services_factory=lambda _: services
    ) as opened:
        yield opened
