"""Threads over real HTTP with the official ``langgraph_sdk`` client: count, search options,
copy, state now and at a checkpoint, state updates (and forks), history; error paths."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from langgraph_sdk import get_client
from langgraph_sdk.errors import NotFoundError

from core.settings import Settings
from tests.support.assistant_graphs import assistant_graph_specs
from tests.support.credentials import headers_for, key_for
from tests.support.fake_graphs import FakeServices
from tests.support.postgres import fresh_database, postgres_problem

pytestmark = pytest.mark.anyio

HI = {"messages": [{"role": "user", "content": "hi"}]}


@pytest.fixture
def services() -> FakeServices:
    return FakeServices()


@pytest.fixture
def server(serve_graphs: Callable[..., Any], services: FakeServices) -> Iterator[str]:
    with serve_graphs(assistant_graph_specs(), services) as url:
        yield url


def _error(response: httpx.Response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"detail", "code"} and body["code"] == code, body
    return str(body["detail"])


async def test_count_search_options_and_minimal_patch(server: str) -> None:
    async with get_client(url=server, api_key=key_for(server)) as client:
        first = await client.threads.create(metadata={"rep": "ana", "tier": 1})
        second = await client.threads.create(metadata={"rep": "bo", "tier": 1})
        await client.runs.wait(first["thread_id"], "chat", input=HI)
        assert await client.threads.count() == 2
        assert await client.threads.count(metadata={"tier": 1}) == 2
        assert await client.threads.count(metadata={"rep": "ana"}, status="idle") == 1
        assert await client.threads.count(values={"step": 2}) == 1
        assert await client.threads.count(status="busy") == 0

        # The run touched the first thread last: it leads by state_updated_at, newest first.
        recent = await client.threads.search(
            sort_by="state_updated_at", select=["thread_id", "status"]
        )
        assert recent == [
            {"thread_id": first["thread_id"], "status": "idle"},
            {"thread_id": second["thread_id"], "status": "idle"},
        ]
        oldest = await client.threads.search(sort_by="created_at", sort_order="asc", limit=1)
        assert [t["thread_id"] for t in oldest] == [first["thread_id"]]

        assert (
            await client.threads.update(second["thread_id"], metadata={"x": 1}, return_minimal=True)
            is None
        )
        assert (await client.threads.get(second["thread_id"]))["metadata"]["x"] == 1
        async with httpx.AsyncClient(base_url=server, headers=headers_for(server)) as http:
            assert "extract" in _error(
                await http.post("/threads/search", json={"extract": {"last": "values.step"}}),
                422,
                "unsupported_option",
            )
            for path, body, field in (
                ("/threads/count", {"status": "sleeping"}, "status"),
                ("/threads/count", {"metadata": [1]}, "metadata"),
                ("/threads/search", {"sort_by": "colour"}, "sort_by"),
                ("/threads/search", {"select": ["secret"]}, "select"),
            ):
                assert field in _error(await http.post(path, json=body), 422, "invalid_request")


async def test_state_at_checkpoints_and_history(server: str) -> None:
    async with get_client(url=server, api_key=key_for(server)) as client:
        thread_id = (await client.threads.create())["thread_id"]
        assert await client.threads.get_history(thread_id) == []
        await client.runs.wait(thread_id, "chat", input=HI)

        history = await client.threads.get_history(thread_id, limit=100)
        # input, prepare, respond: newest first, each pointing at its parent.
        assert [state["metadata"]["step"] for state in history] == [2, 1, 0, -1]
        assert history[0]["values"]["step"] == 2 and history[0]["next"] == []
        assert history[1]["next"] == ["respond"]
        for newer, older in zip(history, history[1:], strict=False):
            assert (
                newer["parent_checkpoint"]["checkpoint_id"] == older["checkpoint"]["checkpoint_id"]
            )
        assert len(await client.threads.get_history(thread_id, limit=2)) == 2
        before = await client.threads.get_history(thread_id, before=history[1]["checkpoint"])
        assert [s["metadata"]["step"] for s in before] == [0, -1]
        loops = await client.threads.get_history(thread_id, metadata={"source": "loop"}, limit=100)
        assert [s["metadata"]["step"] for s in loops] == [2, 1, 0]

        middle = history[1]["checkpoint"]
        by_id = await client.threads.get_state(thread_id, checkpoint_id=middle["checkpoint_id"])
        by_object = await client.threads.get_state(thread_id, checkpoint=middle)
        assert by_id == by_object == history[1]
        assert by_id["values"]["step"] == 1

        async with httpx.AsyncClient(base_url=server, headers=headers_for(server)) as http:
            get_history = await http.get(f"/threads/{thread_id}/history", params={"limit": 1})
            assert [s["metadata"]["step"] for s in get_history.json()] == [2]
            older = await http.get(
                f"/threads/{thread_id}/history",
                params={"before": history[0]["checkpoint"]["checkpoint_id"], "limit": 5},
            )
            assert [s["metadata"]["step"] for s in older.json()] == [1, 0, -1]
            ghost = str(uuid.uuid4())
            assert ghost in _error(
                await http.get(f"/threads/{thread_id}/state/{ghost}"), 404, "checkpoint_not_found"
            )
            _error(
                await http.post(
                    f"/threads/{thread_id}/state/checkpoint",
                    json={"checkpoint": {"checkpoint_id": ghost}},
                ),
                404,
                "checkpoint_not_found",
            )
            missing = str(uuid.uuid4())
            for response in (
                await http.get(f"/threads/{missing}/history"),
                await http.post(f"/threads/{missing}/history", json={}),
                await http.get(f"/threads/{missing}/state/{ghost}"),
                await http.post(f"/threads/{missing}/state", json={"values": {}}),
                await http.post(f"/threads/{missing}/copy"),
                await http.post(f"/threads/{missing}/state/checkpoint", json={"checkpoint": {}}),
            ):
                assert missing in _error(response, 404, "thread_not_found")
            for path, body, field in (
                (f"/threads/{thread_id}/history", {"limit": 0}, "limit"),
                (f"/threads/{thread_id}/history", {"before": 5}, "before"),
                (f"/threads/{thread_id}/state/checkpoint", {}, "checkpoint"),
                (f"/threads/{thread_id}/state", {"values": "text"}, "values"),
                (f"/threads/{thread_id}/state", {"values": {}, "as_node": ""}, "as_node"),
            ):
                assert field in _error(await http.post(path, json=body), 422, "invalid_request")
            assert "limit" in _error(
                await http.get(f"/threads/{thread_id}/history", params={"limit": "many"}),
                422,
                "invalid_request",
            )


async def test_update_state_writes_as_a_node_and_forks_from_a_checkpoint(server: str) -> None:
    async with get_client(url=server, api_key=key_for(server)) as client:
        thread_id = (await client.threads.create())["thread_id"]
        await client.runs.wait(thread_id, "chat", input=HI)
        history = await client.threads.get_history(thread_id, limit=100)

        written = await client.threads.update_state(thread_id, {"step": 7}, as_node="respond")
        assert written["checkpoint"]["thread_id"] == thread_id
        state = await client.threads.get_state(thread_id)
        assert state["values"]["step"] == 7
        assert state["checkpoint"]["checkpoint_id"] == written["checkpoint"]["checkpoint_id"]
        assert state["metadata"]["source"] == "update"
        thread = await client.threads.get(thread_id)
        assert thread["values"]["step"] == 7 and thread["status"] == "idle"

        # Writing as "prepare" onto the input checkpoint forks there: "respond" is next again.
        start = history[-1]["checkpoint"]
        forked = await client.threads.update_state(
            thread_id, {"step": 40}, as_node="prepare", checkpoint_id=start["checkpoint_id"]
        )
        fork = await client.threads.get_state(thread_id, checkpoint=forked["checkpoint"])
        assert fork["next"] == ["respond"] and fork["values"]["step"] == 40
        assert fork["parent_checkpoint"]["checkpoint_id"] == start["checkpoint_id"]
        assert (await client.threads.get(thread_id))["status"] == "interrupted"
        # Continuing the fork runs only what was left: respond.
        values = await client.runs.wait(thread_id, "chat", input=None)
        assert values["step"] == 2 and values["messages"][-1]["content"] == "hello there friend"

        async with httpx.AsyncClient(base_url=server, headers=headers_for(server)) as http:
            assert "ghost" in _error(
                await http.post(
                    f"/threads/{thread_id}/state", json={"values": {"step": 1}, "as_node": "ghost"}
                ),
                422,
                "invalid_state_update",
            )
            missing = str(uuid.uuid4())
            assert missing in _error(
                await http.post(
                    f"/threads/{thread_id}/state",
                    json={"values": {"step": 1}, "checkpoint_id": missing},
                ),
                404,
                "checkpoint_not_found",
            )
            fresh = (await client.threads.create())["thread_id"]
            assert fresh in _error(
                await http.post(f"/threads/{fresh}/state", json={"values": {"step": 1}}),
                409,
                "thread_has_no_graph",
            )
        # A thread created for a graph can be written before any run.
        planned = (await client.threads.create(graph_id="chat"))["thread_id"]
        await client.threads.update_state(planned, {"step": 3}, as_node="prepare")
        assert (await client.threads.get_state(planned))["next"] == ["respond"]


async def test_updating_a_busy_thread_is_a_conflict(server: str, services: FakeServices) -> None:
    async with get_client(url=server, api_key=key_for(server)) as client:
        thread_id = (await client.threads.create())["thread_id"]
        await client.runs.create(thread_id, "gated", input={})
        for _ in range(200):
            if (await client.threads.get(thread_id))["status"] == "busy":
                break
            await asyncio.sleep(0.01)
        async with httpx.AsyncClient(base_url=server, headers=headers_for(server)) as http:
            _error(
                await http.post(f"/threads/{thread_id}/state", json={"values": {"step": 5}}),
                409,
                "thread_busy",
            )
        services.gate.set()
        run = (await client.runs.list(thread_id))[0]
        await client.runs.join(thread_id, run["run_id"])
        assert (await client.threads.get(thread_id))["status"] == "idle"


async def test_copy_keeps_metadata_values_and_checkpoints_but_not_runs(server: str) -> None:
    async with get_client(url=server, api_key=key_for(server)) as client:
        source = await client.threads.create(metadata={"rep": "ana"})
        await client.runs.wait(source["thread_id"], "chat", input=HI)
        copy = await client.threads.copy(source["thread_id"])
        assert copy["thread_id"] != source["thread_id"]
        assert copy["metadata"]["rep"] == "ana" and copy["metadata"]["graph_id"] == "chat"
        assert copy["values"]["step"] == 2 and copy["status"] == "idle"
        assert await client.runs.list(copy["thread_id"]) == []

        original = await client.threads.get_history(source["thread_id"], limit=100)
        copied = await client.threads.get_history(copy["thread_id"], limit=100)
        strip = [({**s["checkpoint"], "thread_id": None}, s["values"], s["next"]) for s in original]
        assert [
            ({**s["checkpoint"], "thread_id": None}, s["values"], s["next"]) for s in copied
        ] == strip
        assert all(s["checkpoint"]["thread_id"] == copy["thread_id"] for s in copied)

        # The copy goes its own way; the source does not move.
        again = {"messages": [{"role": "user", "content": "only on the copy"}]}
        await client.runs.wait(copy["thread_id"], "chat", input=again)
        said = [
            m["content"]
            for m in (await client.threads.get_state(copy["thread_id"]))["values"]["messages"]
        ]
        assert said[0] == "hi" and "only on the copy" in said
        kept = (await client.threads.get_state(source["thread_id"]))["values"]["messages"]
        assert [m["content"] for m in kept] == ["hi", "hello there friend"]
        await client.threads.delete(source["thread_id"])
        assert (await client.threads.get(copy["thread_id"]))["status"] == "idle"
        with pytest.raises(NotFoundError):
            await client.threads.copy(source["thread_id"])


async def test_interrupted_threads_copy_and_resume_separately(server: str) -> None:
    async with get_client(url=server, api_key=key_for(server)) as client:
        source = (await client.threads.create())["thread_id"]
        await client.runs.wait(source, "approval", input={})
        copy = await client.threads.copy(source)
        assert copy["status"] == "interrupted" and copy["interrupts"]
        state = await client.threads.get_state(copy["thread_id"])
        assert state["next"] == ["ask"] and state["interrupts"][0]["value"] == {
            "question": "approve?"
        }
        resumed = await client.runs.wait(copy["thread_id"], "approval", command={"resume": "yes"})
        assert resumed["answer"] == "yes"
        assert (await client.threads.get(source))["status"] == "interrupted"


async def test_subgraph_state_and_history(server: str) -> None:
    async with get_client(url=server, api_key=key_for(server)) as client:
        thread_id = (await client.threads.create())["thread_id"]
        assert (await client.runs.wait(thread_id, "family", input={"trail": ""}))["trail"] == "pcd"
        state = await client.threads.get_state(thread_id, subgraphs=True)
        assert state["values"]["trail"] == "pcd"
        history = await client.threads.get_history(thread_id, limit=100)
        before_child = next(s for s in history if s["next"] == ["child"])
        task = before_child["tasks"][0]
        assert task["name"] == "child"
        child = {"checkpoint_ns": f"child:{task['id']}"}
        inside = await client.threads.get_state(thread_id, checkpoint=child)
        assert (
            inside["values"]["trail"] == "pc"
            and inside["checkpoint"]["checkpoint_ns"] == child["checkpoint_ns"]
        )
        child_history = await client.threads.get_history(thread_id, checkpoint=child, limit=10)
        assert child_history[0]["values"]["trail"] == "pc" and len(child_history) >= 2
        # A namespace that names no subgraph has no history, and cannot be written to.
        assert (
            await client.threads.get_history(thread_id, checkpoint={"checkpoint_ns": "nowhere:1"})
            == []
        )
        async with httpx.AsyncClient(base_url=server, headers=headers_for(server)) as http:
            assert "nowhere" in _error(
                await http.post(
                    f"/threads/{thread_id}/state",
                    json={"values": {"trail": "x"}, "checkpoint": {"checkpoint_ns": "nowhere:1"}},
                ),
                422,
                "invalid_state_update",
            )


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    problem = postgres_problem()
    if problem:
        pytest.skip(problem)
    with fresh_database("crm_agents_threads") as url:
        yield url


async def test_copy_state_and_history_on_postgresql(
    serve_graphs: Callable[..., Any], settings: Settings, postgres_url: str
) -> None:
    on_postgres = settings.model_copy(update={"database_url": postgres_url})
    with serve_graphs(assistant_graph_specs(), FakeServices(), settings=on_postgres) as url:
        async with get_client(url=url, api_key=key_for(url)) as client:
            source = (await client.threads.create(metadata={"rep": "pg"}))["thread_id"]
            await client.runs.wait(source, "chat", input=HI)
            await client.runs.wait(source, "approval", input={})  # leaves a pending interrupt write
            copy = await client.threads.copy(source)
            original = await client.threads.get_history(source, limit=100)
            copied = await client.threads.get_history(copy["thread_id"], limit=100)
            assert [s["checkpoint"]["checkpoint_id"] for s in copied] == [
                s["checkpoint"]["checkpoint_id"] for s in original
            ]
            assert [s["values"] for s in copied] == [s["values"] for s in original]
            assert copy["status"] == "interrupted"
            resumed = await client.runs.wait(
                copy["thread_id"], "approval", command={"resume": "ok"}
            )
            assert resumed["answer"] == "ok"
            written = await client.threads.update_state(source, {"step": 9}, as_node="ask")
            state = await client.threads.get_state(source, checkpoint=written["checkpoint"])
            assert state["values"]["step"] == 9
            assert await client.threads.count(metadata={"rep": "pg"}) == 2
