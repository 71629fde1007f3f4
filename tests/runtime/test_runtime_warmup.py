"""The start-up warm-up: in the background, never blocking the start, never crashing it, and
reported by ``/info``."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest

from core.settings import Settings
from runtime.agent_runtime import open_agent_runtime
from runtime.warmup import STEP_LANGUAGE_MODEL, STEP_MEMORY, default_steps
from server import create_app
from tests.support.credentials import admin_headers
from tests.support.fake_graphs import FakeServices, graph_specs

pytestmark = pytest.mark.anyio


def warm_settings(tmp_path: Path, **overrides: Any) -> Settings:
    return Settings(_env_file=None, data_dir=tmp_path / "data", warm_up=True, **overrides)


async def until(predicate: Any, seconds: float = 20) -> None:
    with anyio.fail_after(seconds):
        while not predicate():
            await anyio.sleep(0.02)


async def test_a_slow_step_leaves_the_runtime_open_and_is_reported_until_done(
    tmp_path: Path,
) -> None:
    release = threading.Event()
    warmed: list[Any] = []

    def slow(services: Any) -> None:
        release.wait(timeout=20)
        warmed.append(services)

    services = FakeServices()
    async with open_agent_runtime(
        warm_settings(tmp_path),
        graphs=graph_specs(),
        services_factory=lambda _: services,
        warm_steps=[(STEP_MEMORY, slow)],
    ) as runtime:
        # Opened while the step still waits: nothing blocked on it.
        await until(lambda: runtime.warmup.status().pending == [STEP_MEMORY])
        status = runtime.warmup.status()
        assert not status.ready and set(status.done) == {"services", "graphs"}
        assert status.as_dict()["state"] == "warming"
        release.set()
        await until(lambda: runtime.warmup.status().ready)
        assert warmed == [services]  # the step got the built services
        assert set(runtime.warmup.status().done) == {"services", "graphs", STEP_MEMORY}


async def test_a_failing_step_is_reported_and_the_others_still_run(tmp_path: Path) -> None:
    ran: list[str] = []

    def broken(_: Any) -> None:
        raise OSError("model file missing")

    async with open_agent_runtime(
        warm_settings(tmp_path),
        graphs=graph_specs(),
        services_factory=lambda _: FakeServices(),
        warm_steps=[(STEP_LANGUAGE_MODEL, broken), (STEP_MEMORY, lambda _: ran.append("m"))],
    ) as runtime:
        await until(lambda: not runtime.warmup.status().pending)
        status = runtime.warmup.status().as_dict()
    assert status["state"] == "failed"
    assert status["failed"] == {STEP_LANGUAGE_MODEL: "OSError: model file missing"}
    assert ran == ["m"] and STEP_MEMORY in status["done"]


async def test_services_that_fail_to_load_fail_every_step(tmp_path: Path) -> None:
    def no_services(_: Settings) -> Any:
        raise RuntimeError("database unreachable")

    async with open_agent_runtime(
        warm_settings(tmp_path, model="scripted/x"),
        graphs=graph_specs(),
        services_factory=no_services,
    ) as runtime:
        await until(lambda: not runtime.warmup.status().pending)
        failed = runtime.warmup.status().failed
    assert set(failed) == {"services", "graphs", STEP_MEMORY}
    assert "database unreachable" in failed["services"]


def test_only_an_embedded_model_is_warmed(tmp_path: Path) -> None:
    # A scripted or hosted model has nothing to load (and a hosted call would cost money).
    assert [n for n, _ in default_steps(warm_settings(tmp_path, model="scripted/x"))] == [
        STEP_MEMORY
    ]
    assert [n for n, _ in default_steps(warm_settings(tmp_path, model="openai/gpt-4o"))] == [
        STEP_MEMORY
    ]
    names = [n for n, _ in default_steps(warm_settings(tmp_path, model="local/smollm2"))]
    assert names == [STEP_MEMORY, STEP_LANGUAGE_MODEL]


async def test_info_says_when_the_agents_are_ready(tmp_path: Path) -> None:
    release = threading.Event()

    def slow_services(_: Settings) -> FakeServices:
        release.wait(timeout=20)
        return FakeServices()

    app = create_app(
        warm_settings(tmp_path, model="scripted/x"),
        graphs=graph_specs(),
        services_factory=slow_services,
    )
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=transport, headers=admin_headers(app), base_url="http://t"
        ) as client,
    ):
        assert (await client.get("/ok")).status_code == 200
        info = (await client.get("/info")).json()
        assert info["agents_ready"] is False
        assert info["warm_up"]["state"] == "warming"
        assert info["warm_up"]["pending"] == ["services", "graphs", STEP_MEMORY]
        release.set()
        with anyio.fail_after(20):
            while not (info := (await client.get("/info")).json())["agents_ready"]:
                await anyio.sleep(0.05)
    assert info["warm_up"] == {
        "state": "ready",
        "pending": [],
        "done": info["warm_up"]["done"],
        "failed": {},
    }
    assert set(info["warm_up"]["done"]) == {"services", "graphs", STEP_MEMORY}


async def test_without_warm_up_info_follows_the_services(tmp_path: Path) -> None:
    app = create_app(
        Settings(_env_file=None, data_dir=tmp_path / "data", warm_up=False),
        graphs=graph_specs(),
        services_factory=lambda _: FakeServices(),
    )
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=transport, headers=admin_headers(app), base_url="http://t"
        ) as client,
    ):
        with anyio.fail_after(20):
            while not (info := (await client.get("/info")).json())["agents_ready"]:
                await anyio.sleep(0.05)
    assert info["warm_up"]["state"] == "ready" and info["warm_up"]["done"] == {}
