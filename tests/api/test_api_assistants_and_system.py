"""Assistants built from the registry, ``/ok`` and ``/info``, and answering while models load."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from api.streaming import sse_response
from core.settings import Settings
from graphs.registry import assistant_id_for
from runtime.broker import StreamEvent
from server import create_app
from tests.support.credentials import admin_headers
from tests.support.fake_graphs import graph_specs
from tests.support.sse import parse_sse

pytestmark = pytest.mark.anyio


async def test_search_lists_one_assistant_per_graph(client: httpx.AsyncClient) -> None:
    assistants = (await client.post("/assistants/search", json={})).json()
    assert [a["graph_id"] for a in assistants] == ["chat", "failing", "approval", "gated"]
    chat = assistants[0]
    assert chat["assistant_id"] == assistant_id_for("chat")
    assert chat["name"] == "chat" and chat["version"] == 1
    assert chat["description"] == "Streams a fixed reply."
    only = (await client.post("/assistants/search", json={"graph_id": "failing"})).json()
    assert [a["graph_id"] for a in only] == ["failing"]
    page = await client.post("/assistants/search", json={"limit": 2})
    assert len(page.json()) == 2 and page.headers["x-pagination-next"] == "2"


async def test_get_by_graph_id_or_assistant_id(client: httpx.AsyncClient) -> None:
    by_graph = (await client.get("/assistants/chat")).json()
    by_id = (await client.get(f"/assistants/{assistant_id_for('chat')}")).json()
    assert by_graph == by_id


async def test_graph_drawing_and_schemas(client: httpx.AsyncClient) -> None:
    graph = (await client.get("/assistants/chat/graph")).json()
    assert {node["id"] for node in graph["nodes"]} >= {"prepare", "respond"}
    schemas = (await client.get("/assistants/chat/schemas")).json()
    assert schemas["graph_id"] == "chat"
    assert "messages" in schemas["input_schema"]["properties"]


async def test_ok_and_info(client: httpx.AsyncClient) -> None:
    assert (await client.get("/ok")).json() == {"ok": True}
    info = (await client.get("/info")).json()
    assert info["flags"]["assistants"] is True
    assert info["metadata"]["graphs"] == ["chat", "failing", "approval", "gated"]


async def test_the_server_answers_while_the_services_are_still_loading(tmp_path: Path) -> None:
    release = threading.Event()

    def slow_services(_: Settings) -> object:
        release.wait(timeout=30)
        return object()

    app = create_app(
        Settings(data_dir=tmp_path), graphs=graph_specs(), services_factory=slow_services
    )
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=transport, headers=admin_headers(app), base_url="http://t"
        ) as c,
    ):
        assert (await c.get("/ok")).status_code == 200
        assert (await c.get("/info")).json()["metadata"]["services"] == "loading"
        # All answered while the services are still held back by `release`: nothing waited.
        assert (await c.post("/assistants/search", json={})).status_code == 200
        release.set()


async def test_sse_heartbeat_comments_keep_a_quiet_stream_alive() -> None:
    async def slow() -> AsyncIterator[StreamEvent]:
        await asyncio.sleep(0.35)
        yield StreamEvent(event="values", data=b'{"a":1}', id=0)

    response = sse_response(slow(), headers={}, heartbeat=0.1)
    body = await _render(response)
    assert body.count(": ping") >= 2
    assert parse_sse(body) == [("values", {"a": 1})]


async def _render(response: object) -> str:
    chunks: list[bytes] = []

    async def receive() -> dict[str, object]:
        await asyncio.sleep(10)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, object]) -> None:
        if message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))  # type: ignore[arg-type]

    scope = {"type": "http", "method": "GET", "headers": [], "asgi": {"spec_version": "2.4"}}
    await response(scope, receive, send)  # type: ignore[operator]
    return b"".join(chunks).decode()


async def test_openapi_document_lists_the_langgraph_routes(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    for path in (
        "/threads",
        "/threads/search",
        "/threads/{thread_id}/state",
        "/threads/{thread_id}/runs/stream",
        "/threads/{thread_id}/runs/wait",
        "/runs/stream",
        "/runs/wait",
        "/assistants/search",
    ):
        assert path in paths
