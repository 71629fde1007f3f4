"""A server that dies mid-run: the next server marks the run (status and reason), frees the
thread, and a run with ``input: null`` continues from the last checkpoint. The slow tests
kill a real child server with SIGKILL, so no shutdown code runs at all."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from langgraph_sdk import get_client
from sqlalchemy import update

from core.settings import Settings
from crm.db import session_factory
from runtime.database import make_records_engine
from runtime.models import GraphRun, GraphThread
from tests.support.apps import make_runs_app, serve
from tests.support.credentials import key_for, provision, register_key
from tests.support.postgres import fresh_database, postgres_problem
from tests.support.run_graphs import RunServices

pytestmark = pytest.mark.anyio

REPO = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def _doomed_server(settings: Settings) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """The run tests' app in a child process on ``settings``' data; killed on exit at latest."""
    port = _free_port()
    command = [sys.executable, "-m", "tests.support.crash_server", str(settings.data_dir)]
    command.append(str(port))
    if settings.database_url:
        command.append(settings.database_url)
    credentials = provision(settings)  # before the child opens the database
    process = subprocess.Popen(command, cwd=REPO, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    register_key(url, credentials.admin_key)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, process.stderr.read().decode()  # type: ignore[union-attr]
            assert time.monotonic() < deadline, "the child server did not start"
            try:
                if httpx.get(f"{url}/ok", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        yield url, process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


async def _crash_mid_run(settings: Settings) -> dict[str, Any]:
    """Start a run and queue another in a child server, kill it while the first is in its
    second step; the ids involved."""
    with _doomed_server(settings) as (url, process):
        async with get_client(url=url, api_key=key_for(url)) as client:
            thread_id = (await client.threads.create())["thread_id"]
            running = await client.runs.create(thread_id, "steps", input={}, durability="sync")
            deadline = time.monotonic() + 10
            while (await client.threads.get_state(thread_id))["next"] != ["second"]:
                assert time.monotonic() < deadline, "the run never reached its second step"
                await asyncio.sleep(0.02)
            queued = await client.runs.create(
                thread_id, "steps", input={}, multitask_strategy="enqueue"
            )
            assert (await client.threads.get(thread_id))["status"] == "busy"
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    return {"thread_id": thread_id, "running": running["run_id"], "queued": queued["run_id"]}


async def _check_marked_and_resume(url: str, services: RunServices, ids: dict[str, Any]) -> None:
    async with get_client(url=url, api_key=key_for(url)) as client:
        thread_id = ids["thread_id"]
        thread = await client.threads.get(thread_id)
        assert thread["status"] == "error"  # never left busy
        for run_id in (ids["running"], ids["queued"]):
            run = await client.runs.get(thread_id, run_id)
            assert run["status"] == "error"
            assert run["error"]["error"] == "ServerRestarted"
            assert "input null" in run["error"]["message"]
        joined = await client.runs.join(thread_id, ids["running"])
        assert joined["__error__"]["error"] == "ServerRestarted"
        state = await client.threads.get_state(thread_id)
        assert state["next"] == ["second"] and state["values"]["visited"] == ["first"]

        services.gate.set()
        resumed = await client.runs.wait(thread_id, "steps", input=None)
        assert resumed["visited"] == ["first", "second", "third"]
        assert services.calls == {"second": 1, "third": 1}  # the first step was not run again
        assert (await client.threads.get(thread_id))["status"] == "idle"


async def test_a_run_left_running_in_the_database_is_marked_at_the_next_start(
    settings: Settings, run_services: RunServices
) -> None:
    """The fast version: a run stopped in its second step, then its rows set back to what a
    crash leaves (run ``running``, thread ``busy``) before the next server starts."""
    with serve(make_runs_app(settings, RunServices())) as url:
        async with get_client(url=url, api_key=key_for(url)) as client:
            thread_id = (await client.threads.create())["thread_id"]
            running = await client.runs.create(thread_id, "steps", input={}, durability="sync")
            while (await client.threads.get_state(thread_id))["next"] != ["second"]:
                await asyncio.sleep(0.02)
            queued = await client.runs.create(
                thread_id, "steps", input={}, multitask_strategy="enqueue"
            )
    engine = make_records_engine(settings.resolved_database_url)
    with session_factory(engine)() as session:
        session.execute(update(GraphRun).values(status="running", error=None))
        session.execute(update(GraphThread).values(status="busy"))
        session.commit()
    engine.dispose()
    ids = {"thread_id": thread_id, "running": running["run_id"], "queued": queued["run_id"]}
    with serve(make_runs_app(settings, run_services)) as url:
        await _check_marked_and_resume(url, run_services, ids)


@pytest.mark.slow
async def test_a_killed_server_leaves_a_run_the_next_one_marks_and_resumes(
    settings: Settings, run_services: RunServices
) -> None:
    ids = await _crash_mid_run(settings)
    with serve(make_runs_app(settings, run_services)) as url:
        await _check_marked_and_resume(url, run_services, ids)


@pytest.mark.slow
@pytest.mark.skipif(postgres_problem() is not None, reason=str(postgres_problem()))
async def test_the_same_on_postgresql(tmp_path: Path, run_services: RunServices) -> None:
    with fresh_database("crm_durability") as database_url:
        settings = Settings(data_dir=tmp_path / "pg-data", database_url=database_url)
        ids = await _crash_mid_run(settings)
        with serve(make_runs_app(settings, run_services)) as url:
            await _check_marked_and_resume(url, run_services, ids)
