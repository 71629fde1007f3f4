"""Runs over HTTP (ASGI transport): streamed events, stored statuses, waits, cancels."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import orjson
import pytest

from tests.support.fake_graphs import TOKENS, FakeServices
from tests.support.sse import parse_sse

pytestmark = pytest.mark.anyio

HI = {"messages": [{"role": "user", "content": "hi"}]}


async def _thread(client: httpx.AsyncClient) -> str:
    response = await client.post("/threads", json={})
    assert response.status_code == 200
    return str(response.json()["thread_id"])


async def _stream(client: httpx.AsyncClient, path: str, body: dict[str, Any]) -> httpx.Response:
    return await client.post(path, json=body, headers={"Accept": "text/event-stream"})


async def test_stream_run_events_in_order_then_state_and_statuses_stored(
    client: httpx.AsyncClient,
) -> None:
    thread_id = await _thread(client)
    response = await _stream(
        client,
        f"/threads/{thread_id}/runs/stream",
        {
            "assistant_id": "chat",
            "input": HI,
            "stream_mode": ["values", "updates", "messages-tuple"],
        },
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    events = parse_sse(response.text)
    name, metadata = events[0]
    run_id = metadata["run_id"]
    assert name == "metadata" and metadata == {"run_id": run_id, "attempt": 1}
    base = f"/threads/{thread_id}/runs/{run_id}"
    assert response.headers["content-location"] == base
    assert response.headers["location"] == f"{base}/stream"
    assert [n for n, _ in events[1:]] == ["values", "updates", "values"] + ["messages"] * len(
        TOKENS
    ) + ["updates", "values"]
    assert events[1][1]["messages"][0]["content"] == "hi"
    assert events[2][1] == {"prepare": {"step": 1}}
    tokens = [data for n, data in events if n == "messages"]
    assert [chunk["content"] for chunk, _ in tokens] == TOKENS
    assert all(meta["langgraph_node"] == "respond" for _, meta in tokens)
    assert len({chunk["id"] for chunk, _ in tokens}) == 1
    assert {"end", "error"}.isdisjoint(n for n, _ in events)

    state = (await client.get(f"/threads/{thread_id}/state")).json()
    assert [m["type"] for m in state["values"]["messages"]] == ["human", "ai"]
    assert state["values"]["messages"][-1]["content"] == "hello there friend"
    assert state["next"] == [] and state["checkpoint"]["thread_id"] == thread_id
    run = (await client.get(base)).json()
    assert run["status"] == "success" and run["assistant_id"] != "chat"
    assert run["kwargs"]["stream_mode"] == ["values", "updates", "messages-tuple"]
    thread = (await client.get(f"/threads/{thread_id}")).json()
    assert thread["status"] == "idle"
    assert thread["metadata"]["graph_id"] == "chat"
    assert thread["values"]["step"] == 2
    listed = (await client.get(f"/threads/{thread_id}/runs")).json()
    assert [r["run_id"] for r in listed] == [run_id]


async def test_stream_mode_as_a_single_string_and_custom_events(client: httpx.AsyncClient) -> None:
    thread_id = await _thread(client)
    response = await _stream(
        client,
        f"/threads/{thread_id}/runs/stream",
        {"assistant_id": "chat", "input": HI, "stream_mode": "custom"},
    )
    assert [(n, d) for n, d in parse_sse(response.text)[1:]] == [
        ("custom", {"progress": "prepared"})
    ]


async def test_a_failing_graph_sends_an_error_event_and_stores_error(
    client: httpx.AsyncClient,
) -> None:
    thread_id = await _thread(client)
    response = await _stream(
        client, f"/threads/{thread_id}/runs/stream", {"assistant_id": "failing", "input": {}}
    )
    events = parse_sse(response.text)
    assert events[-1] == ("error", {"error": "ValueError", "message": "boom"})
    run_id = events[0][1]["run_id"]
    assert (await client.get(f"/threads/{thread_id}/runs/{run_id}")).json()["status"] == "error"
    assert (await client.get(f"/threads/{thread_id}")).json()["status"] == "error"
    # An errored thread takes new runs.
    again = await _stream(
        client, f"/threads/{thread_id}/runs/stream", {"assistant_id": "chat", "input": HI}
    )
    assert parse_sse(again.text)[0][0] == "metadata"
    assert (await client.get(f"/threads/{thread_id}")).json()["status"] == "idle"


async def test_wait_answers_final_values_and_errors_in_the_body(client: httpx.AsyncClient) -> None:
    thread_id = await _thread(client)
    response = await client.post(
        f"/threads/{thread_id}/runs/wait", json={"assistant_id": "chat", "input": HI}
    )
    assert response.status_code == 200
    assert response.json()["messages"][-1]["content"] == "hello there friend"
    run_path = response.headers["content-location"]
    assert response.headers["location"] == f"{run_path}/join"
    assert (await client.get(run_path)).json()["status"] == "success"

    failed = await client.post(
        f"/threads/{thread_id}/runs/wait", json={"assistant_id": "failing", "input": {}}
    )
    assert failed.json() == {"__error__": {"error": "ValueError", "message": "boom"}}
    joined = await client.get(f"{failed.headers['content-location']}/join")
    assert joined.json() == {"__error__": {"error": "ValueError", "message": "boom"}}


async def test_stateless_runs_stream_and_wait_without_a_thread(client: httpx.AsyncClient) -> None:
    response = await _stream(
        client, "/runs/stream", {"assistant_id": "chat", "input": HI, "stream_mode": ["updates"]}
    )
    events = parse_sse(response.text)
    assert response.headers["content-location"] == f"/runs/{events[0][1]['run_id']}"
    assert "location" not in response.headers
    assert [n for n, _ in events] == ["metadata", "updates", "updates"]
    waited = await client.post("/runs/wait", json={"assistant_id": "chat", "input": HI})
    assert waited.json()["step"] == 2
    assert (await client.post("/threads/search", json={})).json() == []


async def test_interrupt_then_resume_with_a_command(client: httpx.AsyncClient) -> None:
    thread_id = await _thread(client)
    paused = await client.post(
        f"/threads/{thread_id}/runs/wait", json={"assistant_id": "approval", "input": {}}
    )
    assert paused.json()["__interrupt__"][0]["value"] == {"question": "approve?"}
    thread = (await client.get(f"/threads/{thread_id}")).json()
    assert thread["status"] == "interrupted"
    assert next(iter(thread["interrupts"].values()))[0]["value"] == {"question": "approve?"}
    state = (await client.get(f"/threads/{thread_id}/state")).json()
    assert state["next"] == ["ask"] and state["interrupts"][0]["value"] == {"question": "approve?"}
    assert state["tasks"][0]["name"] == "ask"

    done = await client.post(
        f"/threads/{thread_id}/runs/wait",
        json={"assistant_id": "approval", "command": {"resume": "approved"}},
    )
    assert done.json()["answer"] == "approved"
    assert (await client.get(f"/threads/{thread_id}")).json()["status"] == "idle"


async def test_a_busy_thread_refuses_a_second_run_with_409(
    client: httpx.AsyncClient, services: FakeServices
) -> None:
    thread_id = await _thread(client)
    created = await client.post(
        f"/threads/{thread_id}/runs", json={"assistant_id": "gated", "input": {}}
    )
    assert created.status_code == 200 and created.json()["status"] == "pending"
    assert (await client.get(f"/threads/{thread_id}")).json()["status"] == "busy"
    refused = await client.post(
        f"/threads/{thread_id}/runs/wait", json={"assistant_id": "chat", "input": HI}
    )
    assert refused.status_code == 409
    assert refused.json()["code"] == "thread_busy" and thread_id in refused.json()["detail"]
    services.gate.set()
    run_id = created.json()["run_id"]
    joined = await client.get(f"/threads/{thread_id}/runs/{run_id}/join")
    assert joined.json()["step"] == 1
    assert (await client.get(f"/threads/{thread_id}/runs/{run_id}")).json()["status"] == "success"


async def test_cancel_interrupts_a_running_run(client: httpx.AsyncClient) -> None:
    thread_id = await _thread(client)
    run_id = (
        await client.post(f"/threads/{thread_id}/runs", json={"assistant_id": "gated", "input": {}})
    ).json()["run_id"]
    await asyncio.sleep(0.05)
    cancelled = await client.post(f"/threads/{thread_id}/runs/{run_id}/cancel?wait=true")
    assert cancelled.status_code == 204
    assert (await client.get(f"/threads/{thread_id}/runs/{run_id}")).json()[
        "status"
    ] == "interrupted"
    assert (await client.get(f"/threads/{thread_id}")).json()["status"] == "idle"
    again = await client.post(f"/threads/{thread_id}/runs/{run_id}/cancel")
    assert again.status_code == 409 and again.json()["code"] == "run_not_active"


async def test_joining_the_stream_of_a_finished_run_ends_at_once(client: httpx.AsyncClient) -> None:
    thread_id = await _thread(client)
    waited = await client.post(
        f"/threads/{thread_id}/runs/wait", json={"assistant_id": "chat", "input": HI}
    )
    run_path = waited.headers["content-location"]
    joined = await client.get(f"{run_path}/stream")
    assert joined.status_code == 200 and parse_sse(joined.text) == []


async def test_run_lists_page_and_filter(client: httpx.AsyncClient) -> None:
    thread_id = await _thread(client)
    for graph in ("chat", "failing", "chat"):
        await client.post(
            f"/threads/{thread_id}/runs/wait", json={"assistant_id": graph, "input": HI}
        )
    runs = (await client.get(f"/threads/{thread_id}/runs", params={"limit": 2})).json()
    assert len(runs) == 2
    errors = (await client.get(f"/threads/{thread_id}/runs", params={"status": "error"})).json()
    assert [r["status"] for r in errors] == ["error"]
    bad = await client.get(f"/threads/{thread_id}/runs", params={"limit": 0})
    assert bad.status_code == 422 and "limit (query parameter)" in bad.json()["detail"]


async def test_wait_body_starts_with_heartbeat_newlines_while_the_run_works(
    client: httpx.AsyncClient, services: FakeServices, monkeypatch: pytest.MonkeyPatch
) -> None:
    import api.runs

    monkeypatch.setattr(api.runs, "json_when_done", _fast_heartbeat(api.runs.json_when_done))
    thread_id = await _thread(client)

    async def open_gate() -> None:
        await asyncio.sleep(0.2)
        services.gate.set()

    opener = asyncio.create_task(open_gate())
    response = await client.post(
        f"/threads/{thread_id}/runs/wait", json={"assistant_id": "gated", "input": {}}
    )
    await opener
    assert response.text.startswith("\n")
    assert orjson.loads(response.content) == {"messages": [], "step": 1}


def _fast_heartbeat(original: Any) -> Any:
    def patched(*args: Any, **kwargs: Any) -> Any:
        return original(*args, heartbeat=0.05, **kwargs)

    return patched
