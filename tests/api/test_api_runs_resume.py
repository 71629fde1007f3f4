"""Resumable streams: event ids, replay after ``Last-Event-ID``, and the official client
reconnecting by itself after its connection is cut mid-stream."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from langgraph_sdk import get_client

from tests.support.credentials import headers_for, key_for
from tests.support.run_graphs import RunServices

pytestmark = pytest.mark.anyio

STEPS_EVENTS = [
    "metadata",
    "values",
    "updates",
    "values",
    "custom",
    "updates",
    "values",
    "updates",
    "values",
]
STEPS_BODY = {
    "assistant_id": "steps",
    "input": {"visited": []},
    "stream_mode": ["values", "updates", "custom"],
}


def _blocks(text: str) -> list[dict[str, str]]:
    """Each SSE event of ``text`` as its fields (comments dropped)."""
    blocks = []
    for raw in text.replace("\r\n", "\n").split("\n\n"):
        fields = dict(
            line.split(": ", 1) for line in raw.split("\n") if line and not line.startswith(":")
        )
        if fields:
            blocks.append(fields)
    return blocks


async def test_resumable_runs_number_every_event_and_others_do_not(
    runs_server: str, run_services: RunServices
) -> None:
    run_services.gate.set()
    async with httpx.AsyncClient(base_url=runs_server, headers=headers_for(runs_server)) as http:
        thread_id = (await http.post("/threads", json={})).json()["thread_id"]
        resumable = await http.post(
            f"/threads/{thread_id}/runs/stream", json={**STEPS_BODY, "stream_resumable": True}
        )
        plain = await http.post(f"/threads/{thread_id}/runs/stream", json=STEPS_BODY)
    numbered = _blocks(resumable.text)
    assert [b["event"] for b in numbered] == STEPS_EVENTS
    assert [b["id"] for b in numbered] == [str(i) for i in range(len(STEPS_EVENTS))]
    assert all("id" not in b for b in _blocks(plain.text))


async def test_a_dropped_client_reconnects_with_last_event_id_and_misses_nothing(
    runs_server: str, run_services: RunServices
) -> None:
    async with get_client(url=runs_server, api_key=key_for(runs_server)) as client:
        thread_id = (await client.threads.create())["thread_id"]
        seen: list[dict[str, str]] = []
        async with httpx.AsyncClient(
            base_url=runs_server, headers=headers_for(runs_server)
        ) as http:
            body = {**STEPS_BODY, "stream_resumable": True}
            async with http.stream(
                "POST", f"/threads/{thread_id}/runs/stream", json=body
            ) as response:
                location = response.headers["location"]
                buffer = ""
                async for chunk in response.aiter_text():
                    buffer += chunk
                    seen = _blocks(buffer.rsplit("\n\n", 1)[0])
                    if seen and seen[-1]["event"] == "custom":
                        break  # drop the connection while the run waits in its second step
        run_id = seen[0]["data"].split('"run_id":"')[1].split('"')[0]
        assert location == f"/threads/{thread_id}/runs/{run_id}/stream"
        run_services.gate.set()  # the run goes on without anyone listening
        await client.runs.join(thread_id, run_id)
        rest = [
            part
            async for part in client.runs.join_stream(
                thread_id, run_id, last_event_id=seen[-1]["id"]
            )
        ]
        assert [b["event"] for b in seen] + [p.event for p in rest] == STEPS_EVENTS
        assert [p.id for p in rest] == [str(i) for i in range(len(seen), len(STEPS_EVENTS))]
        assert rest[-1].data["visited"] == ["first", "second", "third"]
        # Replay is repeatable, and works from any point.
        again = [p async for p in client.runs.join_stream(thread_id, run_id, last_event_id="0")]
        assert [p.event for p in again] == STEPS_EVENTS[1:]
        assert [p async for p in client.runs.join_stream(thread_id, run_id)] == []


async def test_the_sdk_resumes_by_itself_after_the_connection_is_cut(
    runs_server: str, run_services: RunServices
) -> None:
    port = int(runs_server.rsplit(":", 1)[1])
    proxy = _CuttingProxy(port, marker=b'"waiting"')
    proxy_url = await proxy.start()
    try:
        async with get_client(url=proxy_url, api_key=key_for(runs_server)) as client:
            thread_id = (await client.threads.create())["thread_id"]
            proxy.armed = True
            parts: list[Any] = []
            async for part in client.runs.stream(
                thread_id,
                "steps",
                input={"visited": []},
                stream_mode=["values", "updates", "custom"],
                stream_resumable=True,
            ):
                parts.append(part)
                if part.event == "custom":
                    run_services.gate.set()
    finally:
        await proxy.close()
    assert proxy.cuts == 1 and proxy.connections >= 2
    assert [p.event for p in parts] == STEPS_EVENTS
    assert [p.id for p in parts] == [str(i) for i in range(len(STEPS_EVENTS))]
    assert parts[-1].data["visited"] == ["first", "second", "third"]


async def test_replay_refuses_ids_that_are_not_ours_and_unknown_runs(
    runs_server: str, run_services: RunServices
) -> None:
    run_services.gate.set()
    async with httpx.AsyncClient(base_url=runs_server, headers=headers_for(runs_server)) as http:
        thread_id = (await http.post("/threads", json={})).json()["thread_id"]
        done = await http.post(
            f"/threads/{thread_id}/runs/wait", json={**STEPS_BODY, "stream_resumable": True}
        )
        path = done.headers["content-location"] + "/stream"
        for bad in ("1712345678901-0", "-3"):
            refused = await http.get(path, headers={"Last-Event-ID": bad})
            assert refused.status_code == 422
            assert refused.json()["detail"].startswith("Last-Event-ID (header):")
        past_the_end = await http.get(path, headers={"Last-Event-ID": "999"})
        assert past_the_end.status_code == 200 and _blocks(past_the_end.text) == []
        ghost = await http.get(
            f"/threads/{thread_id}/runs/00000000-0000-0000-0000-000000000000/stream",
            headers={"Last-Event-ID": "1"},
        )
        assert ghost.status_code == 404 and ghost.json()["code"] == "run_not_found"


class _CuttingProxy:
    """A loopback TCP proxy that cuts the first response containing ``marker`` right after
    forwarding it, as a flaky network or a proxy timeout would."""

    def __init__(self, target_port: int, *, marker: bytes) -> None:
        self._target = target_port
        self._marker = marker
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.armed = False
        self.cuts = 0
        self.connections = 0

    async def start(self) -> str:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self._target)
        upstream = asyncio.create_task(self._pipe(reader, up_writer, cut=False))
        downstream = asyncio.create_task(self._pipe(up_reader, writer, cut=True))
        self._tasks.update({upstream, downstream})
        await asyncio.wait({upstream, downstream}, return_when=asyncio.FIRST_COMPLETED)
        for task, stream in ((upstream, up_writer), (downstream, writer)):
            task.cancel()
            stream.close()

    async def _pipe(
        self, source: asyncio.StreamReader, sink: asyncio.StreamWriter, *, cut: bool
    ) -> None:
        while data := await source.read(65536):
            sink.write(data)
            await sink.drain()
            if cut and self.armed and self._marker in data:
                self.armed = False
                self.cuts += 1
                return

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
