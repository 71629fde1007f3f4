"""The official ``langgraph_sdk`` client, unchanged, against the server over real HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import orjson
import pytest
from langgraph_sdk import get_client
from langgraph_sdk.errors import ConflictError, NotFoundError, UnprocessableEntityError

from tests.support.credentials import headers_for, key_for
from tests.support.fake_graphs import TOKENS, FakeServices

pytestmark = pytest.mark.anyio

HI = {"messages": [{"role": "user", "content": "hi"}]}


def _client(url: str) -> Any:
    return get_client(url=url, api_key=key_for(url))


async def test_sdk_creates_a_thread_streams_a_run_and_reads_the_state(live_server: str) -> None:
    async with _client(live_server) as client:
        created: list[dict[str, Any]] = []
        thread = await client.threads.create(metadata={"rep": "ana"})
        parts = [
            part
            async for part in client.runs.stream(
                thread["thread_id"],
                "chat",
                input=HI,
                stream_mode=["values", "updates", "messages-tuple"],
                on_run_created=lambda meta: created.append(dict(meta)),
            )
        ]
        assert parts[0].event == "metadata"
        run_id = parts[0].data["run_id"]
        assert created == [{"run_id": run_id, "thread_id": thread["thread_id"]}]
        names = [p.event for p in parts]
        assert names == ["metadata", "values", "updates", "values"] + ["messages"] * len(TOKENS) + [
            "updates",
            "values",
        ]
        assert [p.data[0]["content"] for p in parts if p.event == "messages"] == TOKENS

        state = await client.threads.get_state(thread["thread_id"])
        assert state["values"]["messages"][-1]["content"] == "hello there friend"
        run = await client.runs.get(thread["thread_id"], run_id)
        assert run["status"] == "success"
        assert [r["run_id"] for r in await client.runs.list(thread["thread_id"])] == [run_id]
        stored = await client.threads.get(thread["thread_id"])
        assert stored["status"] == "idle" and stored["metadata"]["rep"] == "ana"


async def test_sdk_stream_v2_wait_stateless_and_assistants(live_server: str) -> None:
    async with _client(live_server) as client:
        parts = [
            p
            async for p in client.runs.stream(
                None, "chat", input=HI, stream_mode="updates", version="v2"
            )
        ]
        assert [p["type"] for p in parts] == ["metadata", "updates", "updates"]
        waited = await client.runs.wait(None, "chat", input=HI)
        assert waited["step"] == 2 and waited["messages"][-1]["content"] == "hello there friend"
        assistants = await client.assistants.search()
        assert [a["graph_id"] for a in assistants] == ["chat", "failing", "approval", "gated"]
        chat = await client.assistants.get(assistants[0]["assistant_id"])
        assert chat["graph_id"] == "chat"
        graph = await client.assistants.get_graph("chat")
        assert any(node["id"] == "respond" for node in graph["nodes"])


async def test_sdk_errors_surface_as_its_typed_exceptions(live_server: str) -> None:
    async with _client(live_server) as client:
        with pytest.raises(NotFoundError, match="not found"):
            await client.threads.get("00000000-0000-0000-0000-000000000000")
        thread = await client.threads.create()
        with pytest.raises(NotFoundError, match="ghost"):
            [p async for p in client.runs.stream(thread["thread_id"], "ghost", input=HI)]
        with pytest.raises(ConflictError):
            await client.threads.create(thread_id=thread["thread_id"])
        with pytest.raises(UnprocessableEntityError, match="webhook"):
            await client.runs.create(thread["thread_id"], "chat", input=HI, webhook="file:///etc")
        # runs.wait reads the body itself and raises httpx's own error, with our body attached.
        with pytest.raises(httpx.HTTPStatusError) as refused:
            await client.runs.wait(thread["thread_id"], "ghost", input=HI)
        assert refused.value.response.status_code == 404
        failing = [p async for p in client.runs.stream(thread["thread_id"], "failing", input={})]
        assert failing[-1].event == "error"
        assert failing[-1].data == {"error": "ValueError", "message": "boom"}
        assert (await client.threads.get(thread["thread_id"]))["status"] == "error"
        with pytest.raises(Exception, match="ValueError: boom"):
            await client.runs.wait(thread["thread_id"], "failing", input={}, raise_error=True)


async def test_sdk_interrupt_resume_and_cancel(live_server: str, services: FakeServices) -> None:
    async with _client(live_server) as client:
        thread = await client.threads.create()
        paused = await client.runs.wait(thread["thread_id"], "approval", input={})
        assert paused["__interrupt__"][0]["value"] == {"question": "approve?"}
        assert (await client.threads.get(thread["thread_id"]))["status"] == "interrupted"
        done = await client.runs.wait(thread["thread_id"], "approval", command={"resume": "ok"})
        assert done["answer"] == "ok"

        run = await client.runs.create(thread["thread_id"], "gated", input={})
        await client.runs.cancel(thread["thread_id"], run["run_id"], wait=True)
        assert (await client.runs.get(thread["thread_id"], run["run_id"]))[
            "status"
        ] == "interrupted"


async def test_oversize_body_is_refused_with_413_over_real_http(live_server: str) -> None:
    async with httpx.AsyncClient(base_url=live_server, headers=headers_for(live_server)) as http:
        response = await http.post("/threads", json={"metadata": {"blob": "x" * 50_000}})
        assert response.status_code == 413
        assert response.json()["code"] == "request_too_large"
        assert (await http.get("/ok")).status_code == 200


async def test_a_restarted_server_keeps_threads_runs_and_state(
    server_factory: Callable[[Any], Any],
) -> None:
    with server_factory(FakeServices()) as url:
        async with _client(url) as client:
            thread = await client.threads.create(metadata={"rep": "ana"})
            await client.runs.wait(thread["thread_id"], "chat", input=HI)
    restarted_services = FakeServices(reply="second life")
    with server_factory(restarted_services) as url:
        async with _client(url) as client:
            stored = await client.threads.get(thread["thread_id"])
            assert stored["status"] == "idle" and stored["metadata"]["rep"] == "ana"
            state = await client.threads.get_state(thread["thread_id"])
            assert state["values"]["messages"][-1]["content"] == "hello there friend"
            assert (await client.runs.list(thread["thread_id"]))[0]["status"] == "success"
            again = await client.runs.wait(thread["thread_id"], "chat", input=HI)
            assert [m["content"] for m in again["messages"]] == [
                "hi",
                "hello there friend",
                "hi",
                "second life",
            ]


async def _leave_after_metadata(url: str, thread_id: str, on_disconnect: str) -> str:
    body = {"assistant_id": "gated", "input": {}, "on_disconnect": on_disconnect}
    async with (
        httpx.AsyncClient(base_url=url, headers=headers_for(url)) as http,
        http.stream("POST", f"/threads/{thread_id}/runs/stream", json=body) as response,
    ):
        async for line in response.aiter_lines():
            if line.startswith("data:"):
                return str(orjson.loads(line[5:])["run_id"])
    raise AssertionError("no metadata event")


async def _status_becomes(client: Any, thread_id: str, run_id: str, wanted: str) -> None:
    for _ in range(200):
        if (await client.runs.get(thread_id, run_id))["status"] == wanted:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"run {run_id} never became {wanted}")


async def test_a_client_leaving_a_stream_cancels_the_run_only_when_asked(
    live_server: str, services: FakeServices
) -> None:
    async with _client(live_server) as client:
        thread = await client.threads.create()
        run_id = await _leave_after_metadata(live_server, thread["thread_id"], "cancel")
        await _status_becomes(client, thread["thread_id"], run_id, "interrupted")

        run_id = await _leave_after_metadata(live_server, thread["thread_id"], "continue")
        await asyncio.sleep(0.1)
        assert (await client.runs.get(thread["thread_id"], run_id))["status"] == "running"
        services.gate.set()
        await _status_becomes(client, thread["thread_id"], run_id, "success")
