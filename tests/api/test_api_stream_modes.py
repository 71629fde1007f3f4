"""Every stream mode, subgraph event names, heartbeats and joining a stream with a mode
filter, read by the official ``langgraph_sdk`` client over real HTTP."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from langgraph_sdk import get_client

from tests.support.credentials import headers_for, key_for
from tests.support.fake_graphs import TOKENS
from tests.support.run_graphs import RunServices
from tests.support.sse import parse_sse

pytestmark = pytest.mark.anyio

HI = {"messages": [{"role": "user", "content": "hi"}]}


async def _parts(client: Any, graph: str, modes: Any, **options: Any) -> list[Any]:
    thread_id = (await client.threads.create())["thread_id"]
    return [
        part
        async for part in client.runs.stream(
            thread_id, graph, input=options.pop("input", HI), stream_mode=modes, **options
        )
    ]


async def test_values_updates_and_both_message_modes(runs_server: str) -> None:
    async with get_client(url=runs_server, api_key=key_for(runs_server)) as client:
        parts = await _parts(client, "chat", ["messages", "messages-tuple", "updates"])
        names = [p.event for p in parts]
        assert names[0] == "metadata"
        assert names.count("messages") == len(TOKENS)
        assert names.count("messages/partial") == len(TOKENS)
        assert names.count("messages/metadata") == 1
        assert [p.data for p in parts if p.event == "updates"][0] == {"prepare": {"step": 1}}
        partials = [p.data[0]["content"] for p in parts if p.event == "messages/partial"]
        assert partials[-1] == "hello there friend" and partials[0] == "hello"
        assert "values" not in names  # not asked for, and no interrupt to report


async def test_custom_debug_tasks_and_checkpoints(runs_server: str) -> None:
    async with get_client(url=runs_server, api_key=key_for(runs_server)) as client:
        parts = await _parts(client, "chat", ["custom", "debug", "tasks", "checkpoints"])
        by_mode: dict[str, list[Any]] = {}
        for part in parts[1:]:
            by_mode.setdefault(part.event, []).append(part.data)
        assert set(by_mode) == {"custom", "debug", "tasks", "checkpoints"}
        assert by_mode["custom"] == [{"progress": "prepared"}]
        assert {d["type"] for d in by_mode["debug"]} == {"checkpoint", "task", "task_result"}
        debug_checkpoint = next(d for d in by_mode["debug"] if d["type"] == "checkpoint")
        assert debug_checkpoint["payload"]["checkpoint"]["checkpoint_id"]
        starts = [t for t in by_mode["tasks"] if "input" in t]
        results = [t for t in by_mode["tasks"] if "result" in t]
        assert [t["name"] for t in starts] == ["prepare", "respond"]
        assert [t["name"] for t in results] == ["prepare", "respond"]
        assert results[0]["result"] == {"step": 1} and results[0]["error"] is None
        last = by_mode["checkpoints"][-1]
        assert last["next"] == [] and last["values"]["step"] == 2
        assert (
            last["checkpoint"]["checkpoint_id"] == last["config"]["configurable"]["checkpoint_id"]
        )
        assert last["parent_checkpoint"]["checkpoint_id"]
        state = await client.threads.get_state(last["checkpoint"]["thread_id"])
        assert state["checkpoint"]["checkpoint_id"] == last["checkpoint"]["checkpoint_id"]


async def test_events_mode_streams_langchain_events_next_to_the_other_modes(
    runs_server: str,
) -> None:
    async with get_client(url=runs_server, api_key=key_for(runs_server)) as client:
        parts = await _parts(client, "chat", ["events", "values"])
        events = [p.data for p in parts if p.event == "events"]
        kinds = [e["event"] for e in events]
        assert kinds[0] == "on_chain_start"
        assert kinds.count("on_chat_model_stream") == len(TOKENS)
        streamed = [
            e["data"]["chunk"]["content"] for e in events if e["event"] == "on_chat_model_stream"
        ]
        assert streamed == TOKENS
        values = [p.data for p in parts if p.event == "values"]
        assert values[-1]["step"] == 2 and len(values) == 3


async def test_subgraph_events_carry_their_namespace_and_v2_splits_it(runs_server: str) -> None:
    async with get_client(url=runs_server, api_key=key_for(runs_server)) as client:
        parts = await _parts(
            client, "nested", ["updates", "custom"], input={}, stream_subgraphs=True
        )
        names = [p.event for p in parts[1:]]
        assert names[0] == "updates"
        nested = [n for n in names if "|" in n]
        assert {n.split("|")[0] for n in nested} == {"updates", "custom"}
        assert all(n.split("|")[1].startswith("child:") for n in nested)
        thread_id = (await client.threads.create())["thread_id"]
        v2 = [
            part
            async for part in client.runs.stream(
                thread_id,
                "nested",
                input={},
                stream_mode="custom",
                stream_subgraphs=True,
                version="v2",
            )
        ]
        [custom] = [p for p in v2 if p["type"] == "custom"]
        assert custom["data"] == {"from": "inner"} and custom["ns"][0].startswith("child:")
        flat = await _parts(client, "nested", ["updates"], input={})
        assert all("|" not in p.event for p in flat)


async def test_an_error_event_ends_the_stream_of_a_failing_run(runs_server: str) -> None:
    async with get_client(url=runs_server, api_key=key_for(runs_server)) as client:
        thread_id = (await client.threads.create())["thread_id"]
        parts = [
            p
            async for p in client.runs.stream(
                thread_id, "failing", input={}, stream_mode=["values", "updates"]
            )
        ]
        assert [p.event for p in parts] == ["metadata", "updates", "values", "error"]
        assert parts[-1].data == {"error": "ValueError", "message": "boom"}
        run = await client.runs.get(thread_id, parts[0].data["run_id"])
        assert run["status"] == "error"
        assert (await client.threads.get(thread_id))["status"] == "error"


async def test_heartbeat_comments_keep_a_quiet_stream_alive(
    runs_server: str, run_services: RunServices, monkeypatch: pytest.MonkeyPatch
) -> None:
    import api.runs

    original = api.runs.sse_response
    monkeypatch.setattr(
        api.runs, "sse_response", lambda *a, **k: original(*a, **{**k, "heartbeat": 0.05})
    )
    async with get_client(url=runs_server, api_key=key_for(runs_server)) as creator:
        thread_id = (await creator.threads.create())["thread_id"]

    async def open_gate() -> None:
        await asyncio.sleep(0.4)
        run_services.gate.set()

    opener = asyncio.create_task(open_gate())
    async with httpx.AsyncClient(base_url=runs_server, headers=headers_for(runs_server)) as http:
        response = await http.post(
            f"/threads/{thread_id}/runs/stream",
            json={"assistant_id": "steps", "input": {}, "stream_mode": "updates"},
        )
    await opener
    assert response.text.count(": ping") >= 3
    assert [n for n, _ in parse_sse(response.text)] == ["metadata"] + ["updates"] * 3


async def test_joining_a_stream_filters_modes_given_in_any_spelling(
    runs_server: str, run_services: RunServices
) -> None:
    async with get_client(url=runs_server, api_key=key_for(runs_server)) as client:
        thread_id = (await client.threads.create())["thread_id"]
        run = await client.runs.create(
            thread_id, "steps", input={}, stream_mode=["values", "updates", "custom"]
        )
        while run_services.calls.get("second", 0) == 0:
            await asyncio.sleep(0.01)
        async with httpx.AsyncClient(
            base_url=runs_server, headers=headers_for(runs_server)
        ) as http:
            path = f"/threads/{thread_id}/runs/{run['run_id']}/stream"
            async with (
                http.stream("GET", path, params={"stream_mode": ["updates"]}) as repeated,
                http.stream("GET", path, params={"stream_mode": '["values","custom"]'}) as as_json,
            ):
                assert repeated.headers["content-location"] == path.removesuffix("/stream")
                run_services.gate.set()
                first = parse_sse((await repeated.aread()).decode())
                second = parse_sse((await as_json.aread()).decode())
            bad = await http.get(path, params={"stream_mode": "everything"})
            assert (
                bad.status_code == 422 and "stream_mode (query parameter)" in bad.json()["detail"]
            )
        assert [n for n, _ in first] == ["updates", "updates"]
        assert [n for n, _ in second if n != "custom"] == ["values", "values"]
        assert {n for n, _ in second} <= {"values", "custom"}
        joined = [p async for p in client.runs.join_stream(thread_id, run["run_id"])]
        assert joined == []  # the run has ended and was not resumable: nothing left to send
