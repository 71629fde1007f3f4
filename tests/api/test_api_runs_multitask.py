"""Double-texting (multitask strategies), cancel actions, run deletion, stateless background
runs and batches, driven by the official ``langgraph_sdk`` client over real HTTP."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from langgraph_sdk import get_client
from langgraph_sdk.errors import ConflictError, NotFoundError, UnprocessableEntityError

from core.settings import Settings
from tests.support.apps import make_runs_app, serve
from tests.support.credentials import headers_for, key_for
from tests.support.postgres import fresh_database, postgres_problem
from tests.support.run_graphs import RunServices

pytestmark = pytest.mark.anyio

HI = {"messages": [{"role": "user", "content": "hi"}]}


async def _eventually(check: Callable[[], Any], what: str, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


async def _status(client: Any, thread_id: str, run_id: str) -> str:
    return str((await client.runs.get(thread_id, run_id))["status"])


async def _becomes(client: Any, thread_id: str, run_id: str, wanted: str) -> None:
    async def check() -> bool:
        return await _status(client, thread_id, run_id) == wanted

    await _eventually(check, f"run {run_id} to become {wanted}")


async def _started_in_second_step(client: Any, services: RunServices, n: int = 1) -> None:
    await _eventually(lambda: services.calls.get("second", 0) >= n, "the second step")


async def test_reject_refuses_a_second_run_with_409_and_leaves_the_first_alone(
    runs_server: str, run_services: RunServices
) -> None:
    async with get_client(url=runs_server, api_key=key_for(runs_server)) as client:
        thread_id = (await client.threads.create())["thread_id"]
        first = await client.runs.create(thread_id, "steps", input={})
        with pytest.raises(ConflictError, match="busy"):
            await client.runs.create(thread_id, "steps", input={}, multitask_strategy="reject")
        run_services.gate.set()
        await client.runs.join(thread_id, first["run_id"])
        assert await _status(client, thread_id, first["run_id"]) == "success"
        assert len(await client.runs.list(thread_id)) == 1
        assert (await client.threads.get(thread_id))["status"] == "idle"


async def test_interrupt_cancels_the_active_run_keeping_its_progress(
    runs_server: str, run_services: RunServices
) -> None:
    async with get_client(url=runs_server, api_key=key_for(runs_server)) as client:
        thread_id = (await client.threads.create())["thread_id"]
        first = await client.runs.create(thread_id, "steps", input={})
        await _started_in_second_step(client, run_services)
        second = await client.runs.create(
            thread_id, "steps", input={}, multitask_strategy="interrupt"
        )
        assert second["multitask_strategy"] == "interrupt"
        await _becomes(client, thread_id, first["run_id"], "interrupted")
        run_services.gate.set()
        final = await client.runs.join(thread_id, second["run_id"])
        assert await _status(client, thread_id, first["run_id"]) == "interrupted"
        assert await _status(client, thread_id, second["run_id"]) == "success"
        # The first run's finished step stays in the thread; its cut-off step left nothing.
        assert final["visited"] == ["first", "first", "second", "third"]
        assert (await client.threads.get(thread_id))["status"] == "idle"


async def test_rollback_deletes_the_active_run_and_its_checkpoints(
    runs_server: str, run_services: RunServices
) -> None:
    async with get_client(url=runs_server, api_key=key_for(runs_server)) as client:
        thread_id = (await client.threads.create())["thread_id"]
        first = await client.runs.create(thread_id, "steps", input={})
        await _started_in_second_step(client, run_services)
        second = await client.runs.create(
            thread_id, "steps", input={}, multitask_strategy="rollback"
        )
        await _eventually(lambda: run_services.calls.get("first", 0) == 2, "the second run")
        run_services.gate.set()
        final = await client.runs.join(thread_id, second["run_id"])
        assert final["visited"] == ["first", "second", "third"]
        with pytest.raises(NotFoundError):
            await client.runs.get(thread_id, first["run_id"])
        assert [r["run_id"] for r in await client.runs.list(thread_id)] == [second["run_id"]]
        assert (await client.threads.get_state(thread_id))["values"]["visited"] == final["visited"]


async def test_enqueue_runs_after_the_active_run_in_creation_order(
    runs_server: str, run_services: RunServices
) -> None:
    async with get_client(url=runs_server, api_key=key_for(runs_server)) as client:
        thread_id = (await client.threads.create())["thread_id"]
        first = await client.runs.create(thread_id, "steps", input={})
        await _started_in_second_step(client, run_services)
        queued = [
            await client.runs.create(thread_id, "steps", input={}, multitask_strategy="enqueue")
            for _ in range(2)
        ]
        await asyncio.sleep(0.1)
        assert [await _status(client, thread_id, r["run_id"]) for r in queued] == [
            "pending",
            "pending",
        ]
        assert run_services.calls == {"first": 1, "second": 1}
        assert (await client.threads.get(thread_id))["status"] == "busy"
        run_services.gate.set()
        final = await client.runs.join(thread_id, queued[-1]["run_id"])
        assert final["visited"] == ["first", "second", "third"] * 3
        statuses = [await _status(client, thread_id, r["run_id"]) for r in [first, *queued]]
        assert statuses == ["success"] * 3
        assert (await client.threads.get(thread_id))["status"] == "idle"


async def test_a_queued_run_can_be_cancelled_before_it_starts(
    runs_server: str, run_services: RunServices
) -> None:
    async with get_client(url=runs_server, api_key=key_for(runs_server)) as client:
        thread_id = (await client.threads.create())["thread_id"]
        first = await client.runs.create(thread_id, "steps", input={})
        await _started_in_second_step(client, run_services)
        queued = await client.runs.create(
            thread_id, "steps", input={}, multitask_strategy="enqueue"
        )
        await client.runs.cancel(thread_id, queued["run_id"], wait=True)
        assert await _status(client, thread_id, queued["run_id"]) == "interrupted"
        assert (await client.threads.get(thread_id))["status"] == "busy"  # the first still runs
        run_services.gate.set()
        await client.runs.join(thread_id, first["run_id"])
        assert run_services.calls["first"] == 1
        assert (await client.threads.get(thread_id))["status"] == "idle"


async def test_cancel_with_rollback_restores_the_state_from_before_the_run(
    runs_server: str, run_services: RunServices
) -> None:
    async with get_client(url=runs_server, api_key=key_for(runs_server)) as client:
        thread_id = (await client.threads.create())["thread_id"]
        run_services.gate.set()
        before = await client.runs.wait(thread_id, "steps", input={})
        run_services.gate.clear()
        doomed = await client.runs.create(thread_id, "steps", input={})
        await _started_in_second_step(client, run_services, n=2)
        await client.runs.cancel(thread_id, doomed["run_id"], wait=True, action="rollback")
        with pytest.raises(NotFoundError):
            await client.runs.get(thread_id, doomed["run_id"])
        thread = await client.threads.get(thread_id)
        assert thread["status"] == "idle" and thread["values"] == before
        assert (await client.threads.get_state(thread_id))["values"] == before


async def test_cancel_and_delete_refuse_what_they_cannot_do(
    runs_server: str, run_services: RunServices
) -> None:
    async with get_client(url=runs_server, api_key=key_for(runs_server)) as client:
        thread_id = (await client.threads.create())["thread_id"]
        run = await client.runs.create(thread_id, "steps", input={})
        with pytest.raises(ConflictError, match="still active"):
            await client.runs.delete(thread_id, run["run_id"])
        run_services.gate.set()
        await client.runs.join(thread_id, run["run_id"])
        with pytest.raises(ConflictError, match="success, not running"):
            await client.runs.cancel(thread_id, run["run_id"])
        await client.runs.delete(thread_id, run["run_id"])
        with pytest.raises(NotFoundError):
            await client.runs.get(thread_id, run["run_id"])
        with pytest.raises(NotFoundError):
            await client.runs.delete(thread_id, run["run_id"])
        with pytest.raises(NotFoundError):
            await client.runs.cancel(thread_id, "no-such-run")
        async with httpx.AsyncClient(
            base_url=runs_server, headers=headers_for(runs_server)
        ) as http:
            bad = await http.post(f"/threads/{thread_id}/runs/{run['run_id']}/cancel?action=undo")
            assert bad.status_code == 422 and "action (query parameter)" in bad.json()["detail"]
        assert (await client.threads.get(thread_id))["status"] == "idle"


async def test_list_filters_by_status_pages_and_selects_fields(
    runs_server: str, run_services: RunServices
) -> None:
    async with get_client(url=runs_server, api_key=key_for(runs_server)) as client:
        thread_id = (await client.threads.create())["thread_id"]
        for graph in ("chat", "failing", "chat"):
            await client.runs.wait(thread_id, graph, input=HI, raise_error=False)
        errors = await client.runs.list(thread_id, status="error")
        assert [r["status"] for r in errors] == ["error"]
        assert errors[0]["error"] == {"error": "ValueError", "message": "boom"}
        page = await client.runs.list(thread_id, limit=1, offset=1, select=["run_id", "status"])
        assert page == [{"run_id": errors[0]["run_id"], "status": "error"}]
        with pytest.raises(UnprocessableEntityError, match="select"):
            await client.runs.list(thread_id, select=["password"])  # type: ignore[list-item]


async def test_stateless_background_runs_batches_and_bulk_cancel(
    runs_server: str, run_services: RunServices
) -> None:
    async with get_client(url=runs_server, api_key=key_for(runs_server)) as client:
        run = await client.runs.create(None, "chat", input=HI)
        joined = await client.runs.join(run["thread_id"], run["run_id"])
        assert joined["step"] == 2
        with pytest.raises(NotFoundError):  # the temporary thread went with the run
            await client.threads.get(run["thread_id"])

        batch = await client.runs.create_batch(
            [
                {"assistant_id": "chat", "input": HI, "on_completion": "keep"},
                {"assistant_id": "steps", "input": {}, "on_completion": "keep"},
            ]
        )
        # Nothing can be queued before a run on a thread created with it: it is stored running.
        assert [r["status"] for r in batch] == ["running", "running"]
        await _started_in_second_step(client, run_services)
        await client.runs.cancel_many(thread_id=batch[1]["thread_id"])
        await _becomes(client, batch[1]["thread_id"], batch[1]["run_id"], "interrupted")
        assert (await client.runs.join(batch[0]["thread_id"], batch[0]["run_id"]))["step"] == 2
        async with httpx.AsyncClient(
            base_url=runs_server, headers=headers_for(runs_server)
        ) as http:
            refused = await http.post(
                "/runs/batch",
                json=[{"assistant_id": "chat"}, {"assistant_id": "ghost"}],
            )
            assert refused.status_code == 404 and "ghost" in refused.json()["detail"]
            too_many = await http.post("/runs/batch", json=[{"assistant_id": "chat"}] * 101)
            assert too_many.status_code == 422
            nothing = await http.post("/runs/cancel", json={})
            assert nothing.status_code == 422 and "thread_id or status" in nothing.json()["detail"]
        kept = await client.threads.get(batch[1]["thread_id"])
        assert kept["status"] == "idle"


async def test_after_seconds_delays_the_start(runs_server: str, run_services: RunServices) -> None:
    async with get_client(url=runs_server, api_key=key_for(runs_server)) as client:
        thread_id = (await client.threads.create())["thread_id"]
        started = time.monotonic()
        run = await client.runs.create(thread_id, "chat", input=HI, after_seconds=0.3)
        await asyncio.sleep(0.1)
        assert await _status(client, thread_id, run["run_id"]) == "pending"
        await client.runs.join(thread_id, run["run_id"])
        assert time.monotonic() - started >= 0.3
        assert await _status(client, thread_id, run["run_id"]) == "success"

        # A stateless run waits as pending too (without after_seconds it is stored running).
        delayed = await client.runs.create(
            None, "chat", input=HI, after_seconds=0.3, on_completion="keep"
        )
        assert delayed["status"] == "pending"
        await client.runs.join(delayed["thread_id"], delayed["run_id"])
        assert await _status(client, delayed["thread_id"], delayed["run_id"]) == "success"


async def test_a_joining_client_that_leaves_cancels_the_run_only_when_asked(
    runs_server: str, run_services: RunServices
) -> None:
    async with get_client(url=runs_server, api_key=key_for(runs_server)) as client:
        thread_id = (await client.threads.create())["thread_id"]
        run = await client.runs.create(thread_id, "steps", input={})
        await _started_in_second_step(client, run_services)
        path = f"/threads/{thread_id}/runs/{run['run_id']}/stream"
        async with httpx.AsyncClient(
            base_url=runs_server, headers=headers_for(runs_server)
        ) as http:
            async with http.stream("GET", path) as response:
                assert response.status_code == 200
            await asyncio.sleep(0.2)
            assert await _status(client, thread_id, run["run_id"]) == "running"
            async with http.stream(
                "GET", path, params={"cancel_on_disconnect": "true"}
            ) as response:
                assert response.status_code == 200
        await _becomes(client, thread_id, run["run_id"], "interrupted")
        assert (await client.threads.get(thread_id))["status"] == "idle"


@pytest.mark.skipif(postgres_problem() is not None, reason=str(postgres_problem()))
async def test_rollback_deletes_checkpoints_on_postgresql_too(
    tmp_path: Path, run_services: RunServices
) -> None:
    with fresh_database("crm_rollback") as database_url:
        settings = Settings(data_dir=tmp_path / "pg-data", database_url=database_url)
        with serve(make_runs_app(settings, run_services)) as url:
            async with get_client(url=url, api_key=key_for(url)) as client:
                thread_id = (await client.threads.create())["thread_id"]
                first = await client.runs.create(thread_id, "steps", input={}, durability="sync")
                await _started_in_second_step(client, run_services)
                second = await client.runs.create(
                    thread_id, "steps", input={}, multitask_strategy="rollback"
                )
                await _eventually(lambda: run_services.calls.get("first", 0) == 2, "the new run")
                run_services.gate.set()
                final = await client.runs.join(thread_id, second["run_id"])
                assert final["visited"] == ["first", "second", "third"]
                with pytest.raises(NotFoundError):
                    await client.runs.get(thread_id, first["run_id"])
